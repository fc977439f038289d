package io.jsyd.oci.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the JDK's AOT cache (JEP 483/514): the install step starts
 * the JVM once with {@code -XX:AOTCacheOutput} and this main, which runs the
 * commands that callers really issue, in process, so that the classes each of
 * them loads and links are in the cache. Everything happens in a scratch
 * directory that is removed afterwards; the state root points there too, so
 * training never touches a real container.
 *
 * <p>The exit status of each command does not matter (several are meant to fail:
 * a usage error, a missing container, an invalid bundle); the classes of the
 * failure paths belong in the cache as much as those of the happy paths. Only a
 * command that throws is reported, because that is a bug in the command line.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws IOException, ClassNotFoundException {
        // The real entry point is not run here (it exits), but its class and the
        // request it builds from the process (environment, cwd) belong in the cache.
        Class.forName(Main.class.getName());
        Request.ofProcess(args);
        Path scratch = Files.createTempDirectory("jsyd-oci-aot-");
        List<List<String>> commands = commands(scratch);
        int failures = 0;
        try {
            for (List<String> command : commands) {
                failures += runQuietly(command, scratch) ? 0 : 1;
            }
        } finally {
            deleteTree(scratch);
        }
        // A command that threw is worth a loud line, but the cache made from the
        // others is still good, so the install goes on.
        System.err.println("jsyd-oci aot training: " + commands.size() + " commands, "
                + failures + " of them threw");
    }

    /** The command lines, in the order a caller tends to issue them. */
    static List<List<String>> commands(Path scratch) {
        String bundle = scratch.resolve("bundle").toString();
        String bad = scratch.resolve("bad").toString();
        String root = scratch.resolve("state").toString();
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("--version"));
        commands.add(List.of("spec", "--bundle", bundle));
        commands.add(List.of("spec", "--rootless", "--bundle", scratch.resolve("rootless").toString()));
        commands.add(List.of("check", "-b", bundle));
        commands.add(List.of("check", "-b", bad));
        commands.add(List.of("features"));
        commands.add(List.of("--root", root, "state", "nonexistent"));
        commands.add(List.of("--root", root, "list"));
        commands.add(List.of("--root", root, "kill", "nonexistent", "KILL"));
        commands.add(List.of("--root", root, "delete", "--force", "nonexistent"));
        commands.add(List.of("--no-such-flag"));
        commands.add(List.of("no-such-command"));
        commands.add(List.of("--help"));
        return commands;
    }

    private static boolean runQuietly(List<String> command, Path scratch) throws IOException {
        prepare(scratch);
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Request request = new Request(command, Map.of("PATH", "/usr/bin:/bin"), scratch,
                new ByteArrayInputStream(new byte[0]), sink, sink);
        try {
            JsydOci.execute(request);
            return true;
        } catch (RuntimeException | Error e) {
            System.err.println("jsyd-oci aot training: " + String.join(" ", command) + ": threw " + e);
            return false;
        }
    }

    /**
     * Before each command: the bundle directories exist with a rootfs, and the
     * invalid bundle has a config whose {@code process.args} is a string, so
     * {@code check} walks its error path too.
     */
    private static void prepare(Path scratch) throws IOException {
        for (String name : List.of("bundle", "bad", "rootless")) {
            Files.createDirectories(scratch.resolve(name).resolve("rootfs"));
        }
        Files.writeString(scratch.resolve("bad").resolve("config.json"), """
                {"ociVersion": "1.3.0", "process": {"cwd": "/", "args": "sh"}, "root": {"path": "rootfs"}}
                """);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
