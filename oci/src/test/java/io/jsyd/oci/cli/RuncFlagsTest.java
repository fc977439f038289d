package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads the installed runc's own help and checks that every command and every
 * flag it lists exists here with the same names and the same need for a value.
 */
class RuncFlagsTest {
    /** "   --bundle value, -b value  path ..." : the names before the two-space gap. */
    private static final Pattern FLAG_LINE = Pattern.compile("^ {3}(-{1,2}[a-z][\\w-]*(?: value)?(?:, ?-{1,2}[a-z][\\w-]*(?: value)?)*)(?: {2,}.*)?$");
    private static final Pattern NAME = Pattern.compile("(-{1,2}[a-z][\\w-]*)( value)?");

    @TempDir
    Path cwd;

    private record RuncFlag(List<String> names, boolean takesValue) {
    }

    private String runcHelp(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("runc"));
        command.addAll(List.of(args));
        command.add("--help");
        Optional<Tools.Output> out = Tools.run(cwd, command.toArray(String[]::new));
        assumeTrue(out.isPresent(), "runc is not installed");
        assertEquals(0, out.get().status(), out.get().out());
        return out.get().out();
    }

    private static List<RuncFlag> flags(String help, String section) {
        List<RuncFlag> flags = new ArrayList<>();
        boolean in = false;
        for (String line : help.lines().toList()) {
            if (line.startsWith(section)) {
                in = true;
                continue;
            }
            if (!in) {
                continue;
            }
            Matcher m = FLAG_LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            List<String> names = new ArrayList<>();
            boolean value = false;
            Matcher n = NAME.matcher(m.group(1));
            while (n.find()) {
                names.add(n.group(1));
                value |= n.group(2) != null;
            }
            flags.add(new RuncFlag(names, value));
        }
        return flags;
    }

    private static Map<String, String> commands(String help) {
        Map<String, String> commands = new LinkedHashMap<>();
        boolean in = false;
        for (String line : help.lines().toList()) {
            if (line.startsWith("COMMANDS:")) {
                in = true;
            } else if (in && line.matches("^ {3}\\S.*")) {
                String names = line.strip().split(" {2,}")[0];
                for (String name : names.split(", ")) {
                    commands.put(name, names.split(", ")[0]);
                }
            } else if (in && !line.isBlank()) {
                in = false;
            }
        }
        return commands;
    }

    private static CommandLine tree() {
        return CommandTree.build(java.util.List.of(), new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()));
    }

    private static void assertSameFlags(CommandSpec ours, List<RuncFlag> theirs) {
        boolean flagless = Set.of("pause", "resume", "start", "state", "features").contains(ours.name());
        assertEquals(flagless, theirs.isEmpty(), "flags read from runc's help of " + ours.name() + ": " + theirs);
        for (RuncFlag flag : theirs) {
            OptionSpec option = ours.findOption(flag.names().getFirst());
            assertNotNull(option, ours.qualifiedName() + " lacks " + flag.names());
            assertEquals(List.copyOf(flag.names()).stream().sorted().toList(),
                    List.of(option.names()).stream().sorted().toList(), ours.qualifiedName());
            assertEquals(flag.takesValue(), option.arity().min() > 0, ours.qualifiedName() + " " + flag.names());
        }
    }

    @Test
    void everyRuncCommandExistsWithItsAliases() throws Exception {
        Map<String, String> theirs = commands(runcHelp());
        assertTrue(theirs.size() >= 18, theirs.toString());
        CommandLine ours = tree();
        for (Map.Entry<String, String> e : theirs.entrySet()) {
            CommandLine command = ours.getSubcommands().get(e.getKey());
            assertNotNull(command, "missing command " + e.getKey());
            assertEquals(e.getValue(), command.getCommandName());
        }
    }

    @Test
    void globalFlagsMatchRunc() throws Exception {
        assertSameFlags(tree().getCommandSpec(), flags(runcHelp(), "GLOBAL OPTIONS:"));
    }

    @Test
    void everyCommandsFlagsMatchRunc() throws Exception {
        CommandLine ours = tree();
        for (String name : commands(runcHelp()).values().stream().distinct().toList()) {
            if (name.equals("help")) {
                continue;
            }
            assertSameFlags(ours.getSubcommands().get(name).getCommandSpec(), flags(runcHelp(name), "OPTIONS:"));
        }
    }

    @Test
    void theHelpParserReadsFlags() {
        String help = """
                OPTIONS:
                   --bundle value, -b value  path to the root
                   --force, -f  kill first
                   --rootless                generate
                """;
        assertEquals(List.of(new RuncFlag(List.of("--bundle", "-b"), true), new RuncFlag(List.of("--force", "-f"), false),
                new RuncFlag(List.of("--rootless"), false)), flags(help, "OPTIONS:"));
    }
}
