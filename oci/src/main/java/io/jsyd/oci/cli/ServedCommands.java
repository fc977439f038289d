package io.jsyd.oci.cli;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which command lines the resident command server runs for its client, and which
 * the client runs in a JVM of its own. The server runs a command only when
 * nothing about it depends on being the caller's process: it starts no process
 * that must be the caller's child (run and exec wait for theirs and relay
 * signals; create is served because the client itself starts the init stub for
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
        if (word.get().equals("events")) {
            return args.stream().anyMatch(STATS::contains) ? Where.SERVER : Where.CLIENT;
        }
        return SERVED.contains(word.get()) ? Where.SERVER : Where.CLIENT;
    }
}
