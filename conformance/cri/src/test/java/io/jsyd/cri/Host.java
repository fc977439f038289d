package io.jsyd.cri;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The host side of the CRI test: commands it runs and processes it looks at in /proc. */
final class Host {
    private Host() {
    }

    /** Runs {@code cmd} to its end (at most {@code limit}); a non-zero status fails the test with its output. */
    static String run(Duration limit, Map<String, String> env, List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        Path out = null;
        try {
            out = Files.createTempFile("jsyd-cri-cmd", ".out");
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                fail(String.join(" ", cmd) + ": still running after " + limit + ":\n" + Files.readString(out));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail(String.join(" ", cmd) + ": status " + p.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(String.join(" ", cmd) + ": interrupted", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file of a few bytes: not worth failing the test for
                }
            }
        }
    }

    static String run(List<String> cmd) {
        return run(Duration.ofMinutes(2), Map.of(), cmd);
    }

    /** The NUL-separated command line of {@code pid}, empty for a zombie or a process gone. */
    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The processes whose command line has every one of {@code words} as an argument or part of one. */
    static List<Long> processesWith(String... words) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> pid != ProcessHandle.current().pid())
                    .filter(pid -> {
                        String line = String.join(" ", cmdline(pid));
                        return Stream.of(words).allMatch(line::contains);
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new AssertionError("list /proc: " + e, e);
        }
    }

    /** {@code pid}'s parent from /proc/PID/status, empty when it is gone. */
    static Optional<Long> parent(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("PPid:")) {
                    return Optional.of(Long.parseLong(line.substring(5).strip()));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code pid} is there and not a zombie. */
    static boolean alive(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("State:")) {
                    return !line.contains("Z (zombie)") && !line.contains("X (dead)");
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes {@code dir} and everything under it, without following symlinks out of it. */
    static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
