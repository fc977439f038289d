package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.lifecycle.ForegroundRun;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "create a container from a bundle and run it")
public final class RunCommand implements Verb {
    @Option(names = {"-b", "--bundle"}, paramLabel = "<dir>",
            description = "bundle directory (holds config.json); default: the working directory")
    String bundle;

    @Option(names = "--console-socket", paramLabel = "<path>",
            description = "AF_UNIX socket that receives the master fd of the container's terminal")
    String consoleSocket;

    @Option(names = {"-d", "--detach"}, description = "return once the container runs, instead of waiting for it")
    boolean detach;

    @Option(names = "--keep", description = "keep the container after it exits (do not delete it)")
    boolean keep;

    @Option(names = "--pid-file", paramLabel = "<path>", description = "write the container's process id to this file")
    String pidFile;

    @Option(names = "--no-subreaper", description = "do not become a subreaper for the container's orphans")
    boolean noSubreaper;

    @Option(names = "--no-pivot", description = "enter the rootfs without pivot_root (for a rootfs on a ramdisk)")
    boolean noPivot;

    @Option(names = "--no-new-keyring", description = "keep the caller's session keyring instead of a new one")
    boolean noNewKeyring;

    @Option(names = "--preserve-fds", paramLabel = "<n>", defaultValue = "0",
            description = "pass N more file descriptors (after stdio and $LISTEN_FDS); default: ${DEFAULT-VALUE}")
    int preserveFds;

    @Parameters(index = "0", paramLabel = "<container-id>", description = "a name for the container, unique under --root")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        if (detach) {
            throw new NotImplementedException("run --detach");
        }
        if (consoleSocket != null) {
            throw new NotImplementedException("run --console-socket");
        }
        if (keep) {
            throw new NotImplementedException("run --keep");
        }
        if (preserveFds < 0) {
            throw new UsageException("--preserve-fds must not be negative: " + preserveFds);
        }
        return ForegroundRun.run(invocation.request(), new ForegroundRun.Options(
                invocation.flags().root(), id, invocation.bundle(bundle), noPivot,
                listenFds(invocation) + preserveFds, pidFile == null ? null : invocation.resolve(pidFile),
                !noSubreaper, invocation.flags().systemdCgroup()));
    }

    /** systemd socket activation: runc passes $LISTEN_FDS fds to the container. */
    private static int listenFds(Invocation invocation) throws UsageException {
        String v = invocation.request().env().get("LISTEN_FDS");
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("LISTEN_FDS is not a count of file descriptors: " + v);
        }
    }
}
