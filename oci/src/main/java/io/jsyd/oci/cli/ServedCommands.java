package io.jsyd.oci.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;

/**
 * Which command lines the resident command server runs for its client, and which
 * the client runs in a JVM of its own. The server runs a command only when
 * nothing about it depends on being the caller's process: it starts no process
 * that must be the caller's child (run and exec wait for theirs and relay
 * signals; create and exec --detach are served because the client itself starts the init stub for
 * the server, and a relative cgroupsPath goes below the client's cgroups, not
 * the server's), streams nothing for as long as the caller likes (events without
 * --stats), and writes no file whose owner would come from the server instead of
 * the caller (spec, bundle create).
 */
public final class ServedCommands {
    /** Where the command may run. */
    public enum Where {
        /** in the client's own JVM */
        CLIENT,
        /** in the server */
        SERVER
    }

    private static final Set<String> SERVED = Set.of("create", "start", "state", "kill", "delete", "list", "ps",
            "pause", "resume", "update", "features", "check");

    /** Go's flag package takes one or two dashes and an explicit true. */
    private static final Set<String> STATS = Set.of("--stats", "-stats", "--stats=true", "-stats=true");

    private ServedCommands() {
    }

    public static Where where(List<String> args) {
        Optional<String> word = CommandTree.commandWord(args);
        if (word.isEmpty()) {
            // --version, --help, or a usage error: output only
            return Where.SERVER;
        }
        if (word.get().equals("exec")) {
            return detached(args) ? Where.SERVER : Where.CLIENT;
        }
        if (word.get().equals("events")) {
            return args.stream().anyMatch(STATS::contains) ? Where.SERVER : Where.CLIENT;
        }
        return SERVED.contains(word.get()) ? Where.SERVER : Where.CLIENT;
    }

    /**
     * exec --detach ends once the process runs, as create does (the client starts
     * the stub, so the process is the client's child); a foreground exec waits for
     * its process and relays signals and the terminal, which only the caller's own
     * process can do. Parsed as the command itself parses it, so that no spelling
     * of the flag is missed.
     */
    private static boolean detached(List<String> args) {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        try {
            CommandLine.ParseResult parsed = CommandTree.build(args, sink, sink).parseArgs(args.toArray(String[]::new));
            CommandLine.ParseResult exec = parsed.subcommand();
            // the option's value, not its match: --detach=true is taken by GoFlags' preprocessor
            return exec != null && Boolean.TRUE.equals(exec.commandSpec().findOption("--detach").getValue());
        } catch (CommandLine.ParameterException e) {
            return false; // the client's own JVM reports it
        }
    }
}
