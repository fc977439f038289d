package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The command lines that podman (through conmon) and containerd (go-runc) give a
 * runc-compatible runtime, and what each flag turns into.
 */
class CommandLineParsingTest {
    private static final Path CWD = Path.of("/work/cwd");

    /** The innermost command of a parse, whose options hold the values. */
    private static CommandLine parse(String... args) {
        CommandLine root = CommandTree.build(java.util.List.of(), new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()));
        return root.parseArgs(args).asCommandLineList().getLast();
    }

    private static Object opt(CommandLine command, String name) {
        return command.getCommandSpec().findOption(name).getValue();
    }

    private static Object arg(CommandLine command, int index) {
        return command.getCommandSpec().positionalParameters().get(index).getValue();
    }

    private static GlobalFlags globals(CommandLine command) {
        CommandLine root = command;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        RootCommand top = root.getCommand();
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        return top.flags(new Request(List.of(), Map.of(), CWD, InputStream.nullInputStream(), nowhere, nowhere));
    }

    @Test
    void containerdCreate() {
        CommandLine c = parse("--root", "/run/containerd/runc/k8s.io", "--log", "/run/t/ctr1/log.json",
                "--log-format", "json", "--systemd-cgroup", "--rootless=false", "create",
                "--bundle", "/run/t/ctr1", "--pid-file", "/run/t/ctr1/init.pid",
                "--console-socket", "/tmp/pty123.sock", "ctr1");
        assertEquals("create", c.getCommandName());
        assertEquals("/run/t/ctr1", opt(c, "--bundle"));
        assertEquals("/run/t/ctr1/init.pid", opt(c, "--pid-file"));
        assertEquals("/tmp/pty123.sock", opt(c, "--console-socket"));
        assertEquals(0, opt(c, "--preserve-fds"));
        assertEquals(false, opt(c, "--no-pivot"));
        assertEquals("ctr1", arg(c, 0));
        assertEquals(new GlobalFlags(Path.of("/run/containerd/runc/k8s.io"), Optional.of(Path.of("/run/t/ctr1/log.json")),
                LogFormat.JSON, false, true, Rootless.FALSE, "criu"), globals(c));
    }

    @Test
    void conmonCreate() {
        CommandLine c = parse("--systemd-cgroup", "--log-format=json", "--log", "/var/lib/c/oci-log", "create",
                "--bundle", "/var/lib/c/userdata", "--pid-file", "/run/c/pidfile", "--no-pivot", "--no-new-keyring",
                "--preserve-fds", "2", "abc123");
        assertEquals(true, opt(c, "--no-pivot"));
        assertEquals(true, opt(c, "--no-new-keyring"));
        assertEquals(2, opt(c, "--preserve-fds"));
        assertEquals("abc123", arg(c, 0));
    }

    @Test
    void globalDefaultsAndRelativePaths() {
        assertEquals(new GlobalFlags(Path.of(GlobalFlags.DEFAULT_ROOT), Optional.empty(), LogFormat.TEXT, false,
                false, Rootless.AUTO, "criu"), globals(parse("state", "x")));
        GlobalFlags relative = globals(parse("--root", "state", "--log", "l/log.txt", "--debug", "--criu", "/opt/criu",
                "--rootless", "auto", "state", "x"));
        assertEquals(CWD.resolve("state"), relative.root());
        assertEquals(Optional.of(CWD.resolve("l/log.txt")), relative.logFile());
        assertTrue(relative.debug());
        assertEquals("/opt/criu", relative.criu());
        assertEquals(Rootless.TRUE, globals(parse("--rootless", "1", "list")).rootless());
    }

    @Test
    void aFlagThatNeedsAValueTakesTheNextWordAsGoDoes() {
        CommandLine c = parse("create", "--bundle", "--pid-file", "--pid-file", "-b", "c1");
        assertEquals("--pid-file", opt(c, "--bundle"));
        assertEquals("-b", opt(c, "--pid-file"));
        assertEquals("c1", arg(c, 0));
    }

    @Test
    void deleteAcceptsTheFlagBeforeOrAfterTheId() {
        assertEquals(true, opt(parse("delete", "--force", "c1"), "--force"));
        CommandLine after = parse("delete", "c1", "-f");
        assertEquals(true, opt(after, "--force"));
        assertEquals("c1", arg(after, 0));
        assertEquals(false, opt(parse("delete", "c1"), "--force"));
    }

    @Test
    void booleanFlagsTakeOnlyAnAttachedValueAsGoDoes() {
        assertEquals(false, opt(parse("delete", "--force=false", "c1"), "--force"));
        assertEquals(true, opt(parse("delete", "--force=true", "c1"), "--force"));
        assertEquals(true, globals(parse("--systemd-cgroup=1", "list")).systemdCgroup());
        // A separate word is the next argument, never the flag's value: here the container id.
        CommandLine named = parse("delete", "--force", "true");
        assertEquals(true, opt(named, "--force"));
        assertEquals("true", arg(named, 0));
        ParameterException bad = assertThrows(ParameterException.class, () -> parse("delete", "--force=yes", "c1"));
        assertEquals("invalid boolean value 'yes' for --force", bad.getMessage());
    }

    @Test
    void kill() {
        CommandLine plain = parse("kill", "c1");
        assertEquals("SIGTERM", arg(plain, 1));
        CommandLine podman = parse("kill", "c1", "KILL");
        assertEquals("KILL", arg(podman, 1));
        CommandLine all = parse("kill", "--all", "c1", "9");
        assertEquals(true, opt(all, "--all"));
        assertEquals("c1", arg(all, 0));
        assertEquals("9", arg(all, 1));
        assertThrows(ParameterException.class, () -> parse("kill", "c1", "9", "extra"));
    }

    @Test
    void execFromProcessJsonAsContainerdDoes() {
        CommandLine c = parse("exec", "--process", "/tmp/runc-process123", "--detach", "--pid-file", "/run/t/e.pid", "c1");
        assertEquals("/tmp/runc-process123", opt(c, "--process"));
        assertEquals(true, opt(c, "--detach"));
        assertEquals("/run/t/e.pid", opt(c, "--pid-file"));
        assertEquals("c1", arg(c, 0));
        assertEquals(List.of(), arg(c, 1));
        assertNull(opt(c, "--tty"), "tty is unset unless given");
    }

    @Test
    void execOptionsEndAtTheContainerId() {
        CommandLine c = parse("exec", "-t", "-e", "A=1", "--env", "B=2", "-u", "1000:1000", "-g", "10", "-g", "20",
                "--cap", "CAP_NET_ADMIN", "--cgroup", "pids:/x", "--cwd", "/srv", "c1", "ls", "-la", "--color", "-t");
        assertEquals(true, opt(c, "--tty"));
        assertEquals(List.of("A=1", "B=2"), opt(c, "--env"));
        assertEquals("1000:1000", opt(c, "--user"));
        assertEquals(List.of(10L, 20L), opt(c, "--additional-gids"));
        assertEquals(List.of("CAP_NET_ADMIN"), opt(c, "--cap"));
        assertEquals(List.of("pids:/x"), opt(c, "--cgroup"));
        assertEquals("/srv", opt(c, "--cwd"));
        assertEquals("c1", arg(c, 0));
        assertEquals(List.of("ls", "-la", "--color", "-t"), arg(c, 1));
    }

    @Test
    void psPassesWhatFollowsTheIdToPs() {
        CommandLine json = parse("ps", "--format", "json", "c1");
        assertEquals("json", opt(json, "--format"));
        assertEquals(List.of(), arg(json, 1));
        CommandLine table = parse("ps", "c1", "-ef", "--forest");
        assertEquals("table", opt(table, "--format"));
        assertEquals(List.of("-ef", "--forest"), arg(table, 1));
        assertEquals("json", opt(parse("ps", "--format=json", "c1"), "-f"));
    }

    @Test
    void update() {
        CommandLine file = parse("update", "--resources", "/tmp/res.json", "c1");
        assertEquals("/tmp/res.json", opt(file, "--resources"));
        assertEquals("-", opt(parse("update", "-r", "-", "c1"), "--resources"));
        CommandLine flags = parse("update", "--memory", "1G", "--memory-swap", "-1", "--pids-limit", "100",
                "--cpu-quota", "5000", "--blkio-weight", "500", "--kernel-memory", "1M", "c1");
        assertEquals("1G", opt(flags, "--memory"));
        assertEquals("-1", opt(flags, "--memory-swap"));
        assertEquals(100L, opt(flags, "--pids-limit"));
        assertEquals("5000", opt(flags, "--cpu-quota"));
        assertEquals(500, opt(flags, "--blkio-weight"));
        assertEquals("c1", arg(flags, 0));
    }

    @Test
    void list() {
        assertEquals(true, opt(parse("list", "-q"), "--quiet"));
        assertEquals("json", opt(parse("list", "--format", "json"), "--format"));
        assertEquals("json", opt(parse("list", "--format=json"), "--format"));
        assertEquals("table", opt(parse("list"), "--format"));
        assertThrows(ParameterException.class, () -> parse("list", "c1"));
    }

    @Test
    void eventsReadsGoDurations() {
        assertEquals(Duration.ofSeconds(5), opt(parse("events", "c1"), "--interval"));
        assertEquals(Duration.ofSeconds(90), opt(parse("events", "--interval=1m30s", "c1"), "--interval"));
        assertEquals(true, opt(parse("events", "--stats", "c1"), "--stats"));
    }

    @Test
    void checkpointAndRestoreAsContainerdDoes() {
        CommandLine cp = parse("checkpoint", "--image-path", "/img", "--work-path", "/work", "--leave-running",
                "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks", "--empty-ns", "network",
                "--empty-ns", "ipc", "--manage-cgroups-mode", "soft", "c1");
        assertEquals("/img", opt(cp, "--image-path"));
        assertEquals(List.of("network", "ipc"), opt(cp, "--empty-ns"));
        assertEquals(-1, opt(cp, "--status-fd"));
        assertEquals("soft", opt(cp, "--manage-cgroups-mode"));
        CommandLine rs = parse("restore", "--image-path", "/img", "--work-path", "/work", "--bundle", "/b", "--detach",
                "--pid-file", "/p", "--no-subreaper", "--no-pivot", "--lsm-profile", "apparmor:x", "c1");
        assertEquals("/b", opt(rs, "-b"));
        assertEquals(true, opt(rs, "-d"));
        assertEquals("apparmor:x", opt(rs, "--lsm-profile"));
    }

    @Test
    void runAndTheOneArgumentCommands() {
        CommandLine run = parse("run", "-d", "-b", "/b", "--keep", "--no-subreaper", "--preserve-fds", "3", "c1");
        assertEquals(true, opt(run, "--detach"));
        assertEquals(true, opt(run, "--keep"));
        assertEquals(3, opt(run, "--preserve-fds"));
        for (String verb : List.of("start", "state", "pause", "resume")) {
            assertEquals("c1", arg(parse(verb, "c1"), 0), verb);
            assertThrows(ParameterException.class, () -> parse(verb), verb);
        }
    }

    @Test
    void specFeaturesCheckInitAndHelp() {
        CommandLine spec = parse("spec", "-b", "/b", "--rootless");
        assertEquals("/b", opt(spec, "--bundle"));
        assertEquals(true, opt(spec, "--rootless"));
        assertEquals("features", parse("features").getCommandName());
        assertThrows(ParameterException.class, () -> parse("features", "x"));
        assertEquals("/b", opt(parse("check", "-b", "/b"), "--bundle"));
        assertEquals("init", parse("init").getCommandName());
        assertEquals("help", parse("h", "create").getCommandName());
    }

    @Test
    void everyRequestGetsItsOwnCommandObjects() {
        CommandLine first = parse("exec", "-t", "c1", "sh");
        CommandLine second = parse("exec", "c1", "sh");
        assertNotSame(first.getCommand(), second.getCommand());
        assertEquals(true, opt(first, "--tty"));
        assertNull(opt(second, "--tty"));
    }
}
