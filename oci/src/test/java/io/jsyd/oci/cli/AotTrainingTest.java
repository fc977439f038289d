package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AotTrainingTest {
    /** Verbs that read or change container state under --root. */
    private static final Set<String> STATEFUL = Set.of("state", "list", "kill", "delete", "create", "start",
            "run", "exec", "pause", "resume", "ps", "events", "update", "checkpoint", "restore");

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void trainingNeverTouchesTheRealStateRoot(boolean container, @TempDir Path scratch) {
        for (List<String> command : AotTraining.commands(scratch, container)) {
            if (command.stream().noneMatch(STATEFUL::contains)) {
                continue;
            }
            assertEquals("--root", command.get(0), () -> "no --root in " + command);
            assertTrue(Path.of(command.get(1)).startsWith(scratch), () -> "root outside scratch: " + command);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyPathTheTrainingNamesIsInsideItsScratchDirectory(boolean container, @TempDir Path scratch) {
        for (List<String> command : AotTraining.commands(scratch, container)) {
            for (String arg : command) {
                if (arg.startsWith("/")) {
                    assertTrue(Path.of(arg).startsWith(scratch), () -> arg + " in " + command);
                }
            }
        }
    }

    @Test
    void trainingCoversTheCommandsCallersIssue(@TempDir Path scratch) {
        List<List<String>> commands = AotTraining.commands(scratch, false);
        for (String verb : List.of("--version", "spec", "check", "features", "state")) {
            assertFalse(commands.stream().noneMatch(c -> c.contains(verb)), () -> "no " + verb);
        }
        assertTrue(commands.stream().noneMatch(c -> c.contains("run")), "run without a container to run");
        assertEquals(1, AotTraining.commands(scratch, true).stream().filter(c -> c.contains("run")).count());
    }
}
