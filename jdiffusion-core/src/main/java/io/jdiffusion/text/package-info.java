/**
 * Text tokenization for text-to-image pipelines, in plain Java (no native code, no torch).
 *
 * <p>{@link io.jdiffusion.text.ClipTokenizer} loads a diffusers pipeline's {@code tokenizer/} folder and gives the
 * ids that transformers' slow {@code CLIPTokenizer} (no ftfy) gives diffusers' Stable Diffusion pipelines, with the
 * untruncated ids and diffusers' truncation note ({@link io.jdiffusion.text.PromptEncoding}). The character
 * properties Python supplies to that tokenizer come from a table written on Python 3.13 / Unicode 15.1
 * ({@code python-unicode.txt}, by scripts/t2i/python_unicode_table.py), not from the JDK's older Unicode data.
 * Bad folders and unsupported settings raise {@link io.jdiffusion.text.TokenizerException} with a one-line message.
 */
package io.jdiffusion.text;
