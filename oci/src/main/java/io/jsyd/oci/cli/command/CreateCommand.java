package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "create", description = "create a container from a bundle, stopped before its process runs (see start)")
public final class CreateCommand implements Verb {
    @Option(names = {"-b", "--bundle"}, paramLabel = "<dir>",
            description = "bundle directory (holds config.json); default: the working directory")
    String bundle;

    @Option(names = "--console-socket", paramLabel = "<path>",
            description = "AF_UNIX socket that receives the master fd of the container's terminal")
    String consoleSocket;

    @Option(names = "--pid-file", paramLabel = "<path>", description = "write the container's process id to this file")
    String pidFile;

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
        throw new NotImplementedException("create");
    }
}
