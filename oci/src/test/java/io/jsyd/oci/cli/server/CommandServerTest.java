package io.jsyd.oci.cli.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.jsyd.oci.lifecycle.LifecycleTest;
import io.jsyd.runtime.cgroup.CgroupHost;
import io.jsyd.runtime.linux.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native client (bin/jsyd-oci-client.c, compiled here with this test's
 * paths) against the command server running in this JVM. The client's JVM
 * launcher is replaced by a script that says it ran, so each case shows who ran
 * the command: the server, or the client "itself".
 */
@Tag("root")
class CommandServerTest {
    @TempDir
    static Path dir;
    static Path client;
    static Path socket;
    static Path ranDirectly;

    @BeforeAll
    static void buildClient() throws Exception {
        socket = dir.resolve("srv/test.sock");
        ranDirectly = dir.resolve("ran-directly");
        Path launcher = dir.resolve("jvm-launcher");
        Files.writeString(launcher, "#!/bin/sh\nprintf '%s|%s\\n' \"$(pwd)\" \"$*\" >>" + ranDirectly
                + "\necho \"direct: $*\"\nexit 42\n");
        launcher.toFile().setExecutable(true);
        client = dir.resolve("jsyd-oci");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", client.toString(),
                "-DJSYD_LAUNCHER=\"" + launcher + "\"", "-DJSYD_SOCKET=\"" + socket + "\"",
                Path.of("../bin/jsyd-oci-client.c").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), out);
    }

    record Result(int status, String out, String err) {
    }

    static Result client(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(client.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                err.complete(p.getErrorStream().readAllBytes());
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    static List<String> directRuns() throws IOException {
        return Files.exists(ranDirectly) ? Files.readAllLines(ranDirectly) : List.of();
    }

    @Test
    void servesWhatItMayAndSendsTheRestBackUntilIdle() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // its own thread: the common pool has one thread on a two-core machine
        CompletableFuture<Integer> server = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> server.complete(CommandServer.serve(socket, Duration.ofSeconds(3),
                new PrintStream(log, true, StandardCharsets.UTF_8), false)));
        for (int i = 0; i < 500 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(socket), log.toString());
        Files.deleteIfExists(ranDirectly);

        Result version = client("--version");
        assertEquals(0, version.status(), version.err());
        assertTrue(version.out().startsWith("jsyd-oci version "), version.out());

        Path root = dir.resolve("state-root");
        Result missing = client("--root", root.toString(), "state", "nosuch");
        assertEquals(1, missing.status(), log + " " + missing);
        assertEquals("jsyd-oci: container nosuch does not exist\n", missing.err());

        Result usage = client("--no-such-flag");
        assertEquals(2, usage.status());
        assertEquals(List.of(), directRuns(), "the server ran all of these");

        // relative paths are the client's: check -b resolves against its cwd
        Files.createDirectories(dir.resolve("bundle"));
        Result check = client("check", "-b", "bundle");
        assertEquals(1, check.status());
        assertTrue(check.err().contains(dir.resolve("bundle/config.json").toString()), check.err());

        Result run = client("--root", root.toString(), "run", "-b", "bundle", "c1");
        assertEquals(42, run.status());
        assertEquals("direct: --root " + root + " run -b bundle c1\n", run.out());
        assertEquals(List.of(dir + "|--root " + root + " run -b bundle c1"), directRuns());

        // another mount namespace: other paths, so the client runs it itself
        Files.delete(ranDirectly);
        Result elsewhere = run(List.of("unshare", "--mount", client.toString(), "--version"));
        assertEquals(42, elsewhere.status(), elsewhere.err());
        assertEquals(List.of(dir + "|--version"), directRuns());

        assertEquals(0, server.get(30, TimeUnit.SECONDS), log.toString());
        assertFalse(Files.exists(socket), "the idle server left its socket");
        assertTrue(log.toString().contains("exiting"), log.toString());
    }

    /**
     * `create` in the server: the client starts the stub, so the container init is
     * the client's child and, once the client exits, its caller's (a subreaper
     * standing in for conmon here), never the server's. The client sits in
     * cgroups of its own (as conmon does), and the container's relative
     * cgroupsPath lands below them, not below the server's.
     */
    @Test
    void createInTheServerLeavesTheContainerToTheClientsCaller(@TempDir Path work) throws Exception {
        Processes.becomeSubreaper(); // the test JVM adopts what the perl subreaper leaves
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CompletableFuture<Integer> server = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> server.complete(CommandServer.serve(socket, Duration.ofSeconds(10),
                new PrintStream(log, true, StandardCharsets.UTF_8), false)));
        for (int i = 0; i < 500 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
        Path bundle = LifecycleTest.bundle(work, "exec sleep 60");
        Path root = work.resolve("root");
        Path pidFile = work.resolve("pid");
        String id = "srv-" + ProcessHandle.current().pid();
        Files.deleteIfExists(ranDirectly);
        List<Path> clientCgroups = clientCgroups("srv-client-" + ProcessHandle.current().pid());
        // this JVM adopts them when perl exits; the served delete reaps only the init
        List<Integer> orphans = new ArrayList<>();
        StringBuilder joinCgroups = new StringBuilder();
        for (Path c : clientCgroups) {
            joinCgroups.append(" open(my $c, '>', '").append(c.resolve("cgroup.procs"))
                    .append("') or die \"join: $!\"; print $c \"$$\\n\"; close($c) or die \"join: $!\";");
        }
        try {
            String[] words = underSubreaper(work, joinCgroups.toString(), pidFile, log, client.toString(), "--root",
                    root.toString(), "create", "--pid-file", pidFile.toString(), "-b", bundle.toString(), id);
            assertEquals(words[2], words[1], "the init's parent is the client's caller");
            assertEquals(List.of(), directRuns(), "the server ran create");
            Result state = client("--root", root.toString(), "state", id);
            assertEquals(0, state.status(), state.err());
            assertTrue(state.out().contains("\"status\" : \"created\""), state.out());
            // the server wrote the pid file with the client's umask
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(pidFile)));
            // v1: runc puts a relative path below the runtime's own cgroup, here the client's
            String initCgroups = Files.readString(Path.of("/proc", Files.readString(pidFile).strip(), "cgroup"));
            String clientName = "srv-client-" + ProcessHandle.current().pid();
            java.util.Optional<String> pids = initCgroups.lines().filter(l -> l.split(":")[1].equals("pids"))
                    .findFirst();
            if (pids.isPresent()) {
                assertTrue(pids.get().endsWith("/" + clientName + "/" + id), initCgroups);
            } else {
                // v2 only: beside the client's cgroup (which has processes), as runc's fs2 does
                String unified = initCgroups.lines().filter(l -> l.startsWith("0::")).findFirst().orElseThrow();
                assertTrue(unified.endsWith("/" + id) && !unified.contains(clientName), initCgroups);
            }

            // exec --detach: served as well, the process the client's caller's
            assertEquals(0, client("--root", root.toString(), "start", id).status());
            Path execPid = work.resolve("exec-pid");
            String[] exec = underSubreaper(work, "", execPid, log, client.toString(), "--root", root.toString(),
                    "exec", "--detach", "--pid-file", execPid.toString(), id, "sleep", "60");
            assertEquals(exec[2], exec[1], "the exec'd process's parent is the client's caller");
            orphans.add(Integer.parseInt(Files.readString(execPid).strip()));
            assertEquals(List.of(), directRuns(), "the server ran exec --detach");
            String execNs = Files.readSymbolicLink(Path.of("/proc", Files.readString(execPid).strip(), "ns/pid"))
                    .toString();
            String initNs = Files.readSymbolicLink(Path.of("/proc", Files.readString(pidFile).strip(), "ns/pid"))
                    .toString();
            assertEquals(initNs, execNs, "the exec'd process is in the container");
        } finally {
            // through the server or not: nothing of the container may stay
            for (int pid : orphans) {
                Processes.signalIfAlive(pid, 9);
                Processes.waitFor(pid); // a zombie keeps its cgroup busy
            }
            run(List.of(client.toString(), "--root", root.toString(), "delete", "--force", id));
            for (Path c : clientCgroups) {
                Files.deleteIfExists(c);
            }
        }
        assertFalse(Files.exists(root.resolve(id)));
        assertEquals(0, server.get(30, TimeUnit.SECONDS), log.toString());
    }

    /**
     * Runs {@code command} under a perl subreaper with umask 077 (this JVM's is
     * 022), first moving perl by {@code join} (perl statements), and returns
     * {@code [status, parent of the pid in pidFile, perl's pid]} once the command
     * has exited. The container keeps the stdio it is given, so the command gets
     * /dev/null and a file, not this test's pipes.
     */
    private static String[] underSubreaper(Path work, String join, Path pidFile, ByteArrayOutputStream log,
                                           String... command) throws Exception {
        Path said = Files.createTempFile(work, "said", "");
        Path err = Files.createTempFile(work, "client-err", "");
        List<String> perl = new ArrayList<>(List.of("perl", "-e",
                "syscall(157, 36, 1, 0, 0, 0) == 0 or die \"prctl: $!\"; umask(077);" + join
                        + " open(my $out, '>', '" + said + "') or die; open(STDIN, '<', '/dev/null');"
                        + " open(STDOUT, '>', '/dev/null'); open(STDERR, '>', '" + err + "');"
                        + " my $rc = system(@ARGV) >> 8; open(my $p, '<', '" + pidFile + "') or die \"no pid file\";"
                        + " my $pid = <$p>; open(my $s, '<', \"/proc/$pid/stat\") or die \"no process\";"
                        + " my @f = split(/ /, (<$s> =~ s/^.*\\) //r)); print $out \"$rc $f[1] $$\\n\";"));
        perl.addAll(List.of(command));
        Result r = run(perl);
        assertEquals(0, r.status(), r.toString());
        String[] words = Files.readString(said).strip().split(" ");
        assertEquals(3, words.length, Files.readString(err) + log);
        assertEquals("0", words[0], Files.readString(err) + log);
        return words;
    }

    /** A new cgroup named {@code name} below this JVM's in every hierarchy, the cgroup2 one too. */
    private static List<Path> clientCgroups(String name) throws IOException {
        CgroupHost host = CgroupHost.system();
        List<CgroupHost.Hierarchy> all = new ArrayList<>(host.hierarchies());
        if (host.unified() != null) {
            all.add(host.unified());
        }
        List<Path> made = new ArrayList<>();
        for (CgroupHost.Hierarchy h : all) {
            String own = h == host.unified() ? host.own().get("")
                    : h.controllers().stream().map(host.own()::get).filter(java.util.Objects::nonNull).findFirst()
                            .orElse(null);
            if (own == null) {
                continue;
            }
            if (!h.root().equals("/") && own.startsWith(h.root())) {
                own = own.substring(h.root().length());
            }
            Path c = h.mountPoint().resolve(own.replaceFirst("^/+", "")).resolve(name);
            Files.createDirectories(c);
            made.add(c);
            if (h.controllers().contains("cpuset")) {
                // a new v1 cpuset starts with no cpus and mems, and takes no process so
                for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                    Files.writeString(c.resolve(f), Files.readString(c.getParent().resolve(f)));
                }
            }
        }
        return made;
    }

    @Test
    void withoutAServerTheClientRunsTheCommandAndStartsOneForNextTime() throws Exception {
        Path otherSocket = dir.resolve("srv2/none.sock");
        Path launcher = dir.resolve("jvm-launcher");
        Path otherClient = dir.resolve("jsyd-oci-2");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", otherClient.toString(),
                "-DJSYD_LAUNCHER=\"" + launcher + "\"", "-DJSYD_SOCKET=\"" + otherSocket + "\"",
                Path.of("../bin/jsyd-oci-client.c").toAbsolutePath().toString()).inheritIO().start();
        assertEquals(0, gcc.waitFor());
        Files.deleteIfExists(ranDirectly);

        Result r = run(List.of(otherClient.toString(), "state", "x"));
        assertEquals(42, r.status());
        assertEquals("direct: state x\n", r.out());
        // the server is started detached, from /, by the same launcher
        List<String> runs = List.of();
        for (int i = 0; i < 500 && runs.size() < 2; i++) {
            Thread.sleep(10);
            runs = directRuns();
        }
        assertEquals(2, runs.size(), runs.toString());
        assertTrue(runs.contains(dir + "|state x"), runs.toString());
        assertTrue(runs.contains("/|command-server " + otherSocket), runs.toString());
        assertTrue(Files.isDirectory(otherSocket.getParent()));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(otherSocket.getParent())));
    }
}
