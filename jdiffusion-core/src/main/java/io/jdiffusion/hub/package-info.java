/**
 * Models by name from the Hugging Face Hub: {@code hf:ORG/NAME[@REVISION]} ({@link
 * io.jdiffusion.hub.HubRef}) resolved to a local diffusers folder ({@link io.jdiffusion.hub.HubModels})
 * whose files are downloaded from the Hub's resolve URLs into a cache ({@link
 * io.jdiffusion.hub.HubFiles}), configured as huggingface_hub is, by HF_ENDPOINT, HF_TOKEN and
 * HF_HUB_OFFLINE ({@link io.jdiffusion.hub.HubSettings}).
 *
 * <p>It needs only the JDK's {@code java.net.http} and {@code io.jdiffusion.store}, and sits low in
 * the layering so that {@code pipeline.TrainedModel.resolve} serves every command that takes a
 * model; it knows nothing of diffusers' formats.
 */
package io.jdiffusion.hub;
