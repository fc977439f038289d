package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", description = "restore a container from a CRIU checkpoint")
public final class RestoreCommand implements Verb {
    @Mixin
    CriuOptions criu = new CriuOptions();

    @Option(names = "--console-socket", paramLabel = "<path>",
            description = "AF_UNIX socket that receives the master fd of the container's terminal")
    String consoleSocket;

    @Option(names = {"-b", "--bundle"}, paramLabel = "<dir>",
            description = "bundle directory (holds config.json); default: the working directory")
    String bundle;

    @Option(names = {"-d", "--detach"}, description = "return once the container runs, instead of waiting for it")
    boolean detach;

    @Option(names = "--pid-file", paramLabel = "<path>", description = "write the container's process id to this file")
    String pidFile;

    @Option(names = "--no-subreaper", description = "do not become a subreaper for the container's orphans")
    boolean noSubreaper;

    @Option(names = "--no-pivot", description = "enter the rootfs without pivot_root (for a rootfs on a ramdisk)")
    boolean noPivot;

    @Option(names = "--lsm-profile", paramLabel = "<type>:<name>", description = "LSM profile for the restored process")
    String lsmProfile;

    @Option(names = "--lsm-mount-context", paramLabel = "<context>", description = "LSM mount context for the restore")
    String lsmMountContext;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        throw new NotImplementedException("restore");
    }
}
