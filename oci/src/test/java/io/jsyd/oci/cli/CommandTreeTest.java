package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsyd.oci.cli.command.HelpCommand;
import io.jsyd.oci.cli.command.RunCommand;
import io.jsyd.oci.cli.command.StateCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request gets the command it names and no other; help and mistakes get them all. */
class CommandTreeTest {
    @Test
    void aNamedCommandComesAlone() {
        assertEquals(List.of(RunCommand.class), CommandTree.needed(List.of("run", "-b", "/b", "c1")));
        assertEquals(List.of(StateCommand.class), CommandTree.needed(
                List.of("--root", "/run/x", "--log", "/l", "--log-format", "json", "--systemd-cgroup", "state", "c1")));
        assertEquals(List.of(StateCommand.class), CommandTree.needed(List.of("--root=/run/x", "state", "c1")));
    }

    @Test
    void theValueOfAGlobalFlagIsNotTheCommand() {
        assertEquals(List.of(RunCommand.class), CommandTree.needed(List.of("--root", "state", "run", "c1")));
    }

    @Test
    void versionNeedsNoCommand() {
        assertEquals(List.of(), CommandTree.needed(List.of("--version")));
        assertEquals(List.of(), CommandTree.needed(List.of("-v")));
    }

    @Test
    void helpAndUnknownCommandsGetTheWholeTree() {
        assertEquals(CommandTree.COMMANDS, CommandTree.needed(List.of()));
        assertEquals(CommandTree.COMMANDS, CommandTree.needed(List.of("--help")));
        assertEquals(CommandTree.COMMANDS, CommandTree.needed(List.of("-v", "-h")));
        assertEquals(CommandTree.COMMANDS, CommandTree.needed(List.of("help", "run")));
        assertEquals(CommandTree.COMMANDS, CommandTree.needed(List.of("h")));
        assertEquals(CommandTree.COMMANDS, CommandTree.needed(List.of("runn", "c1")));
        assertEquals(CommandTree.COMMANDS, CommandTree.needed(List.of("--", "run")));
        assertEquals(true, CommandTree.COMMANDS.contains(HelpCommand.class));
    }
}
