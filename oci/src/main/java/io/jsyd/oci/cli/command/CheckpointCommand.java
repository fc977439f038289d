package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "checkpoint", description = "save a running container's state with CRIU")
public final class CheckpointCommand implements Verb {
    @Mixin
    CriuOptions criu = new CriuOptions();

    @Option(names = "--parent-path", paramLabel = "<dir>", description = "image files of an earlier pre-dump")
    String parentPath;

    @Option(names = "--leave-running", description = "keep the container running after the checkpoint")
    boolean leaveRunning;

    @Option(names = "--status-fd", paramLabel = "<fd>", defaultValue = "-1",
            description = "CRIU writes \\0 to this fd once lazy pages are ready; default: ${DEFAULT-VALUE}")
    int statusFd;

    @Option(names = "--page-server", paramLabel = "<address:port>", description = "the CRIU page server")
    String pageServer;

    @Option(names = "--pre-dump", description = "dump only memory, and leave the container running")
    boolean preDump;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        throw new NotImplementedException("checkpoint");
    }
}
