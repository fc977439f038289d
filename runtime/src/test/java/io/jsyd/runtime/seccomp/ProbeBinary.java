package io.jsyd.runtime.seccomp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Builds src/test/c/seccomp-probe.c (static) for tests that look at a filter from inside. */
final class ProbeBinary {
    private ProbeBinary() {
    }

    static Path source() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[] {dir.resolve("src/test/c/seccomp-probe.c"),
                    dir.resolve("runtime/src/test/c/seccomp-probe.c")}) {
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("seccomp-probe.c not found above " + Path.of("").toAbsolutePath());
    }

    /** The probe compiled into {@code dir}, or null when gcc (or static glibc) is missing. */
    static Path build(Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("seccomp-probe");
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-std=gnu11", "-O1", "-Wall", "-Werror", "-static", "-pthread", "-o",
                    out.toString(), source().toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.err.println("seccomp-probe did not build: " + log);
            return null;
        }
        return out;
    }
}
