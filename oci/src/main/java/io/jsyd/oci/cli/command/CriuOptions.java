package io.jsyd.oci.cli.command;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The CRIU flags `checkpoint` and `restore` share, as runc defines them for both. */
public final class CriuOptions {
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

    @Option(names = "--file-locks", description = "checkpoint and restore file locks")
    boolean fileLocks;

    @Option(names = "--lazy-pages", description = "restore memory pages lazily with userfaultfd")
    boolean lazyPages;

    @Option(names = "--manage-cgroups-mode", paramLabel = "soft|full|strict",
            description = "how CRIU handles cgroups (CRIU's default: soft)")
    String manageCgroupsMode;

    @Option(names = "--empty-ns", paramLabel = "<namespace>",
            description = "create this namespace on restore but do not restore its contents (repeatable)")
    List<String> emptyNamespaces = new ArrayList<>();

    @Option(names = "--auto-dedup", description = "deduplicate memory images automatically")
    boolean autoDedup;
}
