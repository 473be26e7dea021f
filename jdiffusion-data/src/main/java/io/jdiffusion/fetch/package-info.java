/**
 * Data acquisition tooling: downloading the npm tarballs of the fetched datasets ({@link
 * io.jdiffusion.fetch.NpmRegistry}), unpacking them ({@link io.jdiffusion.fetch.TarGz}),
 * installing Fashion-MNIST with apt-get, and checking what arrived ({@link
 * io.jdiffusion.fetch.DataCheck}), all driven by {@link io.jdiffusion.fetch.DataFetch} for {@code
 * jdiffusion data fetch}.
 *
 * <p>Dependencies run one way: {@code cli -> fetch -> data}. This package reads the installed sets
 * through {@code io.jdiffusion.data}'s ordinary loaders; {@code data} and every other library
 * package know nothing of it, so the library reads a set that is already on disk without any of
 * the network, archive or package-manager code.
 */
package io.jdiffusion.fetch;
