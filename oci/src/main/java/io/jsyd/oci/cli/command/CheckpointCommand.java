package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "checkpoint", description = "save a running container's state with CRIU")
public final class CheckpointCommand implements Verb {
    @Option(names = "--image-path", paramLabel = "<dir>", description = "where CRIU writes the image files")
    String imagePath;

    @Option(names = "--work-path", paramLabel = "<dir>", description = "where CRIU writes work files and logs")
    String workPath;

    @Option(names = "--parent-path", paramLabel = "<dir>", description = "image files of an earlier pre-dump")
    String parentPath;

    @Option(names = "--leave-running", description = "keep the container running after the checkpoint")
    boolean leaveRunning;

    @Option(names = "--tcp-established", description = "allow open TCP connections")
    boolean tcpEstablished;

    @Option(names = "--ext-unix-sk", description = "allow external unix sockets")
    boolean extUnixSk;

    @Option(names = "--shell-job", description = "allow shell jobs")
    boolean shellJob;

    @Option(names = "--lazy-pages", description = "restore memory pages lazily with userfaultfd")
    boolean lazyPages;

    @Option(names = "--status-fd", paramLabel = "<fd>", defaultValue = "-1",
            description = "CRIU writes \\0 to this fd once lazy pages are ready; default: ${DEFAULT-VALUE}")
    int statusFd;

    @Option(names = "--page-server", paramLabel = "<address:port>", description = "the CRIU page server")
    String pageServer;

    @Option(names = "--file-locks", description = "checkpoint file locks")
    boolean fileLocks;

    @Option(names = "--pre-dump", description = "dump only memory, and leave the container running")
    boolean preDump;

    @Option(names = "--manage-cgroups-mode", paramLabel = "soft|full|strict",
            description = "how CRIU handles cgroups (CRIU's default: soft)")
    String manageCgroupsMode;

    @Option(names = "--empty-ns", paramLabel = "<namespace>",
            description = "create this namespace on restore but do not restore its contents (repeatable)")
    List<String> emptyNamespaces = new ArrayList<>();

    @Option(names = "--auto-dedup", description = "deduplicate memory images automatically")
    boolean autoDedup;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        throw new NotImplementedException("checkpoint");
    }
}
