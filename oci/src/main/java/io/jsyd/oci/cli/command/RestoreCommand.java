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

@Command(name = "restore", description = "restore a container from a CRIU checkpoint")
public final class RestoreCommand implements Verb {
    @Option(names = "--console-socket", paramLabel = "<path>",
            description = "AF_UNIX socket that receives the master fd of the container's terminal")
    String consoleSocket;

    @Option(names = "--image-path", paramLabel = "<dir>", description = "the checkpoint's image files")
    String imagePath;

    @Option(names = "--work-path", paramLabel = "<dir>", description = "where CRIU writes work files and logs")
    String workPath;

    @Option(names = "--tcp-established", description = "allow open TCP connections")
    boolean tcpEstablished;

    @Option(names = "--ext-unix-sk", description = "allow external unix sockets")
    boolean extUnixSk;

    @Option(names = "--shell-job", description = "allow shell jobs")
    boolean shellJob;

    @Option(names = "--file-locks", description = "restore file locks")
    boolean fileLocks;

    @Option(names = "--manage-cgroups-mode", paramLabel = "soft|full|strict",
            description = "how CRIU handles cgroups (CRIU's default: soft)")
    String manageCgroupsMode;

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

    @Option(names = "--empty-ns", paramLabel = "<namespace>",
            description = "create this namespace but do not restore its contents (repeatable)")
    List<String> emptyNamespaces = new ArrayList<>();

    @Option(names = "--auto-dedup", description = "deduplicate memory images automatically")
    boolean autoDedup;

    @Option(names = "--lazy-pages", description = "restore memory pages lazily with userfaultfd")
    boolean lazyPages;

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
