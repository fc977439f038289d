package io.jsyd.oci.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** runc's global flags and command list (runc 1.1), plus our own {@code check} and {@code bundle}. */
@Command(name = "jsyd-oci",
        synopsisSubcommandLabel = "<command>",
        // the subcommands are added per request by CommandTree: only those the request needs
        description = {"An OCI runtime with runc's command line and the Syd sandbox's confinement.",
                "", "Run a bundle (a directory with config.json and a root filesystem):",
                "    jsyd-oci run [-b <bundle>] <container-id>", ""})
final class RootCommand {
    @Option(names = "--debug", description = "enable debug logging")
    boolean debug;

    @Option(names = "--log", paramLabel = "<file>",
            description = "also write log lines (and the error that ends a command) to this file")
    String log;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text", converter = LogFormat.Converter.class,
            description = "format of the --log lines; default: text")
    LogFormat logFormat;

    @Option(names = "--root", paramLabel = "<dir>", defaultValue = GlobalFlags.DEFAULT_ROOT,
            description = "directory of the containers' state (best on tmpfs); default: ${DEFAULT-VALUE}")
    String root;

    @Option(names = "--criu", paramLabel = "<path>", defaultValue = "criu",
            description = "the criu binary for checkpoint and restore; default: ${DEFAULT-VALUE}")
    String criu;

    @Option(names = "--systemd-cgroup",
            description = "manage cgroups through systemd; cgroupsPath is then slice:prefix:name")
    boolean systemdCgroup;

    @Option(names = "--rootless", paramLabel = "true|false|auto", defaultValue = "auto",
            converter = Rootless.Converter.class,
            description = "ignore cgroup permission errors; default: auto")
    Rootless rootless;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show help")
    boolean help;

    @Option(names = {"-v", "--version"}, versionHelp = true, description = "print the version")
    boolean version;

    /** The parsed flags; call only after a successful parse (defaults are applied then). */
    GlobalFlags flags(Request request) {
        return new GlobalFlags(request.resolve(root), logFile(request), logFormat, debug, systemdCgroup,
                rootless, criu);
    }

    /** The --log file, if one was parsed; safe after a failed parse too (runc logs usage errors there). */
    Optional<Path> logFile(Request request) {
        return log == null || log.isEmpty() ? Optional.empty() : Optional.of(request.resolve(log));
    }

    LogFormat logFormatOrDefault() {
        return logFormat == null ? LogFormat.TEXT : logFormat;
    }

    boolean debug() {
        return debug;
    }
}
