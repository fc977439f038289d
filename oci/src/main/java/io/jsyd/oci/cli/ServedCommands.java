package io.jsyd.oci.cli;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which command lines the resident command server runs for its client, and which
 * the client runs in a JVM of its own. The server runs a command only when
 * nothing about it depends on being the caller's process: it starts no process
 * that must be the caller's child (create, run and exec leave the container, or
 * the exec'd process, to the caller's subreaper), streams nothing for as long as
 * the caller likes (events without --stats), and writes no file whose owner and
 * mode would come from the server instead of the caller (spec, bundle create).
 */
public final class ServedCommands {
    private static final Set<String> SERVED = Set.of("start", "state", "kill", "delete", "list", "ps", "pause",
            "resume", "update", "features", "check");

    /** Go's flag package takes one or two dashes and an explicit true. */
    private static final Set<String> STATS = Set.of("--stats", "-stats", "--stats=true", "-stats=true");

    private ServedCommands() {
    }

    public static boolean served(List<String> args) {
        Optional<String> word = CommandTree.commandWord(args);
        if (word.isEmpty()) {
            // --version, --help, or a usage error: output only
            return true;
        }
        if (word.get().equals("events")) {
            return args.stream().anyMatch(a -> STATS.contains(a));
        }
        return SERVED.contains(word.get());
    }
}
