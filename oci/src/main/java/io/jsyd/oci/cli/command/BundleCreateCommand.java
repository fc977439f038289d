package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import io.jsyd.oci.image.BundleCreator;
import io.jsyd.oci.image.Limits;
import io.jsyd.oci.image.Platform;
import io.jsyd.oci.image.Progress;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jsyd-oci bundle create SOURCE DIR}: what umoci unpack and skopeo do
 * for runc users, in one step and without a registry. The name is a verb on
 * the thing it makes, as `podman image save` or `ctr image export` are.
 */
@Command(name = "create", description = {"make a bundle (config.json + rootfs) from a container image",
        "SOURCE is an OCI image layout directory, an OCI archive (podman save --format oci-archive), "
                + "a Docker archive (docker save, podman save) or a podman docker-dir; gzip- or zstd-compressed "
                + "archives are accepted too. DIR must not exist or be empty; it is made atomically."})
public final class BundleCreateCommand implements Verb {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show help")
    boolean help;

    @Option(names = "--ref", paramLabel = "<name>",
            description = "the image to take when SOURCE holds several: a name or tag (busybox:latest, latest), "
                    + "or a manifest digest")
    String ref;

    @Option(names = "--platform", paramLabel = "<os/arch[/variant]>",
            description = "the platform to take from a multi-platform image; default: this machine's (linux/amd64 here)")
    String platform;

    @Option(names = "--rootless", description = "write the config for a container started without root "
            + "(a user namespace mapping root to you)")
    boolean rootless;

    @Option(names = "--max-size", paramLabel = "<bytes>", defaultValue = "64G",
            description = "refuse an image whose layers unpack to more than this (K, M, G, T suffixes); default: "
                    + "${DEFAULT-VALUE}")
    String maxSize;

    @Option(names = "--max-entries", paramLabel = "<n>", defaultValue = "10000000",
            description = "refuse an image whose layers hold more entries than this; default: ${DEFAULT-VALUE}")
    long maxEntries;

    @Option(names = "--progress", description = "report each layer on stderr even when it is not a terminal")
    boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "report no progress, even on a terminal")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "the image: a directory or an archive")
    String source;

    @Parameters(index = "1", paramLabel = "DIR", description = "the bundle directory to make")
    String dir;

    @Override
    public int run(Invocation invocation) throws OciException {
        if (maxEntries <= 0) {
            throw new UsageException("--max-entries must be positive: " + maxEntries);
        }
        Limits limits = new Limits(parseSize(maxSize), maxEntries);
        Platform wanted = platform == null ? hostPlatform() : Platform.parse(platform);
        CallerIds ids = CallerIds.ofThisProcess();
        PrintStream err = invocation.request().err();
        boolean show = !quiet && (progress || StderrTerminal.isTerminal());
        Progress sink = show ? Progress.to(err, StderrTerminal.isTerminal(), System::nanoTime) : Progress.NONE;
        Path target = invocation.resolve(dir);
        BundleCreator.Result r = BundleCreator.create(new BundleCreator.Options(invocation.resolve(source), target, ref,
                wanted, limits, ids.uid() == 0, rootless ? new long[] {ids.uid(), ids.gid()} : null), sink,
                w -> {
                    err.println("jsyd-oci: warning: " + w);
                    err.flush();
                });
        if (show) {
            err.printf(Locale.ROOT, "bundle %s: %d layer%s, %s in %d entries, %.1fs%n", r.bundle(),
                    r.image().layers().size(), r.image().layers().size() == 1 ? "" : "s", Progress.bytes(r.bytes()),
                    r.entries(), r.took().toNanos() / 1e9);
            err.flush();
        }
        return 0;
    }

    /** "64G", "512M", "1048576": binary multiples. */
    static long parseSize(String text) throws UsageException {
        String t = text.strip().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2))) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> {
                }
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(digits);
            if (v <= 0 || v > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return v << shift;
        } catch (NumberFormatException e) {
            throw new UsageException("--max-size: \"" + text + "\" is not a positive size (e.g. 64G, 512M)");
        }
    }

    private static Platform hostPlatform() {
        return new Platform("linux", System.getProperty("os.arch"), "");
    }

    /**
     * Whether this process's stderr is a terminal. The command runs in the
     * caller's process today; a resident server would get this from its client
     * with the fds, which is why it is asked in one place.
     */
    static final class StderrTerminal {
        private StderrTerminal() {
        }

        static boolean isTerminal() {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (java.io.IOException | UnsupportedOperationException e) {
                return false;
            }
        }
    }
}
