package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.cli.Cli.Result;
import io.jsyd.oci.features.SpecVersions;
import io.jsyd.runtime.seccomp.LibseccompVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsydOciTest {
    @TempDir
    Path cwd;

    /** Invocations as podman/conmon and containerd's runc shim issue them, by the command they reach. */
    static Stream<Arguments> callerInvocations() {
        return Stream.of(
                Arguments.of("create", List.of("create", "--bundle", "/b", "--pid-file", "/p", "--console-socket", "/s", "c1")),
                Arguments.of("create", List.of("create", "--bundle", "/b", "--pid-file", "/p", "--no-pivot",
                        "--no-new-keyring", "--preserve-fds", "1", "c1")),
                Arguments.of("start", List.of("start", "c1")),
                Arguments.of("state", List.of("state", "c1")),
                Arguments.of("delete", List.of("delete", "--force", "c1")),
                Arguments.of("delete", List.of("delete", "c1")),
                Arguments.of("kill", List.of("kill", "c1", "KILL")),
                Arguments.of("kill", List.of("kill", "--all", "c1", "9")),
                Arguments.of("kill", List.of("kill", "c1", "15")),
                Arguments.of("exec", List.of("exec", "--process", "/tmp/p.json", "--detach", "--pid-file", "/p", "c1")),
                Arguments.of("exec", List.of("exec", "--pid-file", "/p", "--process", "/f", "--detach", "--tty",
                        "--console-socket", "/s", "--preserve-fds", "2", "c1")),
                Arguments.of("ps", List.of("ps", "--format", "json", "c1")),
                Arguments.of("ps", List.of("ps", "--format=json", "c1")),
                Arguments.of("update", List.of("update", "--resources", "/tmp/r.json", "c1")),
                Arguments.of("update", List.of("update", "--resources=-", "c1")),
                Arguments.of("pause", List.of("pause", "c1")),
                Arguments.of("resume", List.of("resume", "c1")),
                Arguments.of("list", List.of("list", "-q")),
                Arguments.of("list", List.of("list", "--format", "json")),
                Arguments.of("list", List.of("list", "--format=json")),
                Arguments.of("events", List.of("events", "--stats", "c1")),
                Arguments.of("events", List.of("events", "--interval=7s", "c1")),
                Arguments.of("run --detach", List.of("run", "--bundle", "/b", "--detach", "--pid-file", "/p", "c1")),
                Arguments.of("checkpoint", List.of("checkpoint", "--image-path", "/i", "--work-path", "/w",
                        "--leave-running", "c1")),
                Arguments.of("restore", List.of("restore", "--image-path", "/i", "--work-path", "/w", "--bundle", "/b",
                        "--detach", "--pid-file", "/p", "--no-subreaper", "--no-pivot", "c1")),
                Arguments.of("init", List.of("init")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("callerInvocations")
    void callerInvocationsParseAndReachTheCommand(String command, List<String> args) {
        List<String> full = new ArrayList<>(List.of("--root", "/run/containerd/runc/k8s.io", "--systemd-cgroup"));
        full.addAll(args);
        Result r = Cli.run(cwd, full.toArray(String[]::new));
        switch (command) {
            // no such root: nothing listed, nothing to delete
            case "list" -> assertEquals(0, r.status(), r.err());
            case "delete" -> assertEquals(args.contains("--force") ? 0 : 1, r.status(), r.err());
            case "start", "state", "kill", "ps", "pause", "resume", "events", "update" ->
                    assertEquals(new Result(1, "", "jsyd-oci: container c1 does not exist\n"), r);
            // runc: every failure of exec exits 255, apart from the process's own statuses
            case "exec" -> assertEquals(new Result(255, "", "jsyd-oci: container c1 does not exist\n"), r);
            // the bundle /b is not there
            case "create", "run --detach" -> {
                assertEquals(1, r.status());
                assertTrue(r.err().contains("/b"), r.err());
            }
            default -> assertEquals(new Result(1, "", "jsyd-oci: " + command + ": not implemented yet\n"), r);
        }
    }

    @Test
    void aMissingLogDirectoryAddsALineButKeepsTheError() {
        // The --log directory does not exist: the command's error still reaches stderr, plus one line about the log.
        Path log = cwd.resolve("no-such-dir/log.json");
        Result r = Cli.run(cwd, "--root", "/run/containerd/runc/k8s.io", "--log", log.toString(), "--log-format", "json",
                "--systemd-cgroup", "state", "c1");
        assertEquals(1, r.status());
        assertEquals(List.of("jsyd-oci: container c1 does not exist",
                "jsyd-oci: write log " + log + ": no such file or directory"), r.err().lines().toList());
    }

    @Test
    void anUnknownFlagIsAUsageErrorWithAHint() {
        Result r = Cli.run(cwd, "list", "--bogus");
        assertEquals(new Result(2, "", "jsyd-oci: Unknown option: '--bogus'\n"
                + "Try 'jsyd-oci list --help' for more information.\n"), r);
        Result global = Cli.run(cwd, "--bogus", "list");
        assertEquals(new Result(2, "", "jsyd-oci: Unknown option: '--bogus'\n"
                + "Try 'jsyd-oci --help' for more information.\n"), global);
    }

    @Test
    void otherUsageErrorsAreOneLinePlusTheHint() {
        for (String[] args : List.of(new String[] {"kill"}, new String[] {"state", "a", "b"},
                new String[] {"create", "--preserve-fds", "many", "c1"}, new String[] {"--log-format", "xml", "list"},
                new String[] {"--rootless", "maybe", "list"}, new String[] {"nosuchcommand"},
                new String[] {"delete", "--force=perhaps", "c1"}, new String[] {"create", "--bundle"})) {
            Result r = Cli.run(cwd, args);
            assertEquals(2, r.status(), String.join(" ", args));
            List<String> lines = r.err().lines().toList();
            assertEquals(2, lines.size(), r.err());
            assertTrue(lines.get(0).startsWith("jsyd-oci: "), r.err());
            assertTrue(lines.get(1).matches("Try 'jsyd-oci( [a-z]+)? --help' for more information\\."), r.err());
            assertEquals("", r.out());
        }
        assertEquals("jsyd-oci: Invalid value for option '--log-format': expected 'text' or 'json', got 'xml'",
                Cli.run(cwd, "--log-format", "xml", "list").err().lines().findFirst().orElseThrow());
        assertEquals("jsyd-oci: Missing required parameter: '<container-id>'",
                Cli.run(cwd, "kill").err().lines().findFirst().orElseThrow());
    }

    @Test
    void helpSucceedsForEveryCommandAndGoesToStdout() {
        List<String> commands = List.of("checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps",
                "restore", "resume", "run", "spec", "start", "state", "update", "features", "check", "init", "help");
        for (String command : commands) {
            for (String[] args : List.of(new String[] {command, "--help"}, new String[] {command, "-h"},
                    new String[] {"help", command}, new String[] {"h", command})) {
                Result r = Cli.run(cwd, args);
                assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: jsyd-oci " + command + " "), r.out());
                assertEquals("", r.err());
            }
        }
        for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"-h"},
                new String[] {"help"}, new String[] {"--root", "/x"})) {
            Result r = Cli.run(cwd, args);
            assertEquals(0, r.status());
            assertTrue(r.out().startsWith("Usage: jsyd-oci "), r.out());
            for (String command : commands) {
                assertEquals(!command.equals("init"), Pattern.compile("\n  " + command + "[ ,]").matcher(r.out()).find(),
                        command);
            }
        }
        assertEquals(new Result(2, "", "jsyd-oci: No help topic for 'nope'\n"), Cli.run(cwd, "help", "nope"));
    }

    @Test
    void versionPrintsRuncsLines() {
        List<String> expected = new ArrayList<>(List.of("jsyd-oci version " + BuildInfo.version(), "spec: 1.3.0"));
        LibseccompVersion.installed().ifPresent(v -> expected.add("libseccomp: " + v));
        for (String flag : List.of("--version", "-v")) {
            Result r = Cli.run(cwd, flag);
            assertEquals(0, r.status());
            assertEquals(expected, r.out().lines().toList());
            assertEquals("", r.err());
        }
        assertEquals(List.of("jsyd-oci version " + BuildInfo.version(), "spec: " + SpecVersions.MAX),
                JsydOci.versionLines(Optional.empty()));
        assertEquals("libseccomp: 9.8.7",
                JsydOci.versionLines(Optional.of(new LibseccompVersion(9, 8, 7))).getLast());
    }

    @Test
    void theVersionComesFromTheBuild() throws IOException {
        // The oci module's pom names the project version in its <parent>; the build filters it into the jar.
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
        assertTrue(m.find(), "no parent version in oci/pom.xml");
        assertEquals(m.group(1), BuildInfo.version());
    }

    @Test
    void aBugBeforeTheCommandRunsIsStillOneLine() {
        // No real argv holds a NUL byte; an in-process caller can, and the path code then throws.
        Result r = Cli.run(cwd, "--root", "bad\0root", "state", "c1");
        assertEquals(1, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jsyd-oci: internal error: java.nio.file.InvalidPathException: "), r.err());
    }

    @Test
    void aFailingCommandAlsoWritesRuncsJsonLogLine() throws IOException {
        String root = cwd.resolve("root").toString();
        Result r = Cli.run(cwd, "--root", root, "--log", "log.json", "--log-format", "json", "state", "c1");
        assertEquals(new Result(1, "", "jsyd-oci: container c1 does not exist\n"), r);
        Cli.run(cwd, "--root", root, "--log", cwd.resolve("log.json").toString(), "--log-format=json", "kill", "c1");
        assertEquals(List.of(
                "{\"level\":\"error\",\"msg\":\"container c1 does not exist\",\"time\":\"2026-01-02T03:04:05Z\"}",
                "{\"level\":\"error\",\"msg\":\"container c1 does not exist\",\"time\":\"2026-01-02T03:04:05Z\"}"),
                Files.readAllLines(cwd.resolve("log.json")));
    }

    @Test
    void theTextLogFormatIsLogrusText() throws IOException {
        Cli.run(cwd, "--root", cwd.resolve("root").toString(), "--log", "log.txt", "delete", "c1");
        assertEquals(List.of("time=\"2026-01-02T03:04:05Z\" level=error msg=\"container c1 does not exist\""),
                Files.readAllLines(cwd.resolve("log.txt")));
    }

    @Test
    void usageErrorsAreLoggedOnceTheLogFlagIsParsed() throws IOException {
        Result r = Cli.run(cwd, "--log", "log.json", "--log-format", "json", "list", "--bogus");
        assertEquals(2, r.status());
        assertEquals(List.of("{\"level\":\"error\",\"msg\":\"Unknown option: '--bogus'\",\"time\":\"2026-01-02T03:04:05Z\"}"),
                Files.readAllLines(cwd.resolve("log.json")));
        // An error before --log is read has no log to go to.
        Cli.run(cwd, "--log-format", "xml", "--log", "early.json", "list");
        assertFalse(Files.exists(cwd.resolve("early.json")));
    }

    @Test
    void successWritesNoLogLine() {
        Result r = Cli.run(cwd, "--log", "log.json", "--log-format", "json", "spec");
        assertEquals(0, r.status());
        assertFalse(Files.exists(cwd.resolve("log.json")));
    }

    @Test
    void anUnwritableLogDoesNotHideTheError() throws IOException {
        Files.createDirectory(cwd.resolve("adir"));
        Result r = Cli.run(cwd, "--root", cwd.resolve("root").toString(), "--log", "adir", "pause", "c1");
        assertEquals(1, r.status());
        List<String> lines = r.err().lines().toList();
        assertEquals("jsyd-oci: container c1 does not exist", lines.get(0));
        assertTrue(lines.get(1).startsWith("jsyd-oci: write log " + cwd.resolve("adir") + ": "), lines.get(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "--version", "list --bogus", "state c1", "features", "spec"})
    void nothingReachesTheJvmsOwnStreams(String args) throws IOException {
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        ByteArrayOutputStream leaked = new ByteArrayOutputStream();
        PrintStream trap = new PrintStream(leaked, true, StandardCharsets.UTF_8);
        try {
            System.setOut(trap);
            System.setErr(trap);
            Cli.run(Files.createTempDirectory(cwd, "run"), args.split(" "));
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
        }
        assertEquals("", leaked.toString(StandardCharsets.UTF_8));
    }
}
