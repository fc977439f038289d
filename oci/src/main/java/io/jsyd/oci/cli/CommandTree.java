package io.jsyd.oci.cli;

import io.jsyd.oci.cli.command.BundleCommand;
import io.jsyd.oci.cli.command.CheckCommand;
import io.jsyd.oci.cli.command.CheckpointCommand;
import io.jsyd.oci.cli.command.CreateCommand;
import io.jsyd.oci.cli.command.DeleteCommand;
import io.jsyd.oci.cli.command.EventsCommand;
import io.jsyd.oci.cli.command.ExecCommand;
import io.jsyd.oci.cli.command.FeaturesCommand;
import io.jsyd.oci.cli.command.HelpCommand;
import io.jsyd.oci.cli.command.InitCommand;
import io.jsyd.oci.cli.command.KillCommand;
import io.jsyd.oci.cli.command.ListCommand;
import io.jsyd.oci.cli.command.PauseCommand;
import io.jsyd.oci.cli.command.PolicyCommand;
import io.jsyd.oci.cli.command.PsCommand;
import io.jsyd.oci.cli.command.RestoreCommand;
import io.jsyd.oci.cli.command.ResumeCommand;
import io.jsyd.oci.cli.command.RunCommand;
import io.jsyd.oci.cli.command.SpecCommand;
import io.jsyd.oci.cli.command.StartCommand;
import io.jsyd.oci.cli.command.StateCommand;
import io.jsyd.oci.cli.command.SupervisorDaemonCommand;
import io.jsyd.oci.cli.command.SupervisorWatchdogCommand;
import io.jsyd.oci.cli.command.UpdateCommand;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Builds the picocli command tree for one request. picocli builds a command's model
 * by reflection, and all of runc's commands cost more than the JVM's own start: so
 * a request that names one command gets a tree with that command alone. Help, an
 * unknown command or no command at all get the whole tree, so that listings and
 * picocli's suggestions stay complete.
 */
final class CommandTree {
    /** runc 1.1's commands in its order, then our own. */
    static final List<Class<?>> COMMANDS = List.of(
            CheckpointCommand.class, CreateCommand.class, DeleteCommand.class, EventsCommand.class,
            ExecCommand.class, InitCommand.class, KillCommand.class, ListCommand.class, PauseCommand.class,
            PsCommand.class, RestoreCommand.class, ResumeCommand.class, RunCommand.class, SpecCommand.class,
            StartCommand.class, StateCommand.class, UpdateCommand.class, FeaturesCommand.class,
            CheckCommand.class, BundleCommand.class, PolicyCommand.class, SupervisorDaemonCommand.class,
            SupervisorWatchdogCommand.class, HelpCommand.class);

    /** Global flags that take the next word as their value (Go's flag package does the same). */
    private static final Set<String> GLOBAL_VALUE_FLAGS = Set.of("--log", "--log-format", "--root", "--criu", "--rootless");

    /** Commands whose options end at the first positional argument (runc's SkipArgReorder). */
    private static final Set<String> STOP_AT_POSITIONAL = Set.of("exec", "ps");

    private CommandTree() {
    }

    static CommandLine build(List<String> args, PrintWriter out, PrintWriter err) {
        CommandLine root = new CommandLine(new RootCommand());
        for (Class<?> command : needed(args)) {
            root.addSubcommand(command);
        }
        for (CommandLine sub : root.getSubcommands().values()) {
            // Aliases ("h") share the CommandLine of their command: add the option once.
            if (sub.getCommandSpec().findOption("--help") == null) {
                sub.getCommandSpec().addOption(OptionSpec.builder("-h", "--help")
                        .usageHelp(true).description("show help").build());
            }
            if (STOP_AT_POSITIONAL.contains(sub.getCommandName())) {
                sub.setStopAtPositional(true);
            }
        }
        // Go's flag package gives a flag that needs a value the next word, whatever it looks like.
        root.setAllowSubcommandsAsOptionParameters(true);
        root.setAllowOptionsAsOptionParameters(true);
        GoFlags.adapt(root);
        // The CLI may run in a server whose own terminal says nothing about the client's.
        root.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        root.setOut(out);
        root.setErr(err);
        return root;
    }

    /** The commands this request can reach. */
    static List<Class<?>> needed(List<String> args) {
        Optional<String> word = commandWord(args);
        if (word.isEmpty()) {
            boolean versionOnly = args.stream().anyMatch(a -> a.equals("-v") || a.equals("--version"))
                    && args.stream().noneMatch(a -> a.equals("-h") || a.equals("--help"))
                    && !args.contains("--");
            return versionOnly ? List.of() : COMMANDS;
        }
        for (Class<?> c : COMMANDS) {
            Command spec = c.getAnnotation(Command.class);
            if (spec.name().equals(word.get()) || List.of(spec.aliases()).contains(word.get())) {
                return c == HelpCommand.class ? COMMANDS : List.of(c);
            }
        }
        return COMMANDS;
    }

    /**
     * The word that names the command: the first one that is neither a global
     * flag nor a global flag's value. Empty when there is none, or when a
     * {@code --} comes first.
     */
    static Optional<String> commandWord(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                return Optional.empty();
            }
            if (a.startsWith("-")) {
                if (GLOBAL_VALUE_FLAGS.contains(a)) {
                    i++;
                }
                continue;
            }
            return Optional.of(a);
        }
        return Optional.empty();
    }
}
