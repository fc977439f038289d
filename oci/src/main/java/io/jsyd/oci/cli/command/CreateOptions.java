package io.jsyd.oci.cli.command;

import picocli.CommandLine.Option;

/** The flags `create` and `run` share, as runc defines them for both. */
public final class CreateOptions {
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
}
