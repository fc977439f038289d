package io.jsyd.runtime.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kernel does when a supervisor dies (its listener closes): a call
 * waiting for an answer and every later supervised call fail with ENOSYS. The
 * container is not let through, but it runs on: which is why the daemon's death
 * must also kill it (the watchdog, io.jsyd.oci.supervise).
 */
class ListenerCloseTest {
    @Test
    void waitingAndLaterCallsFailWithEnosys(@TempDir Path dir) throws Exception {
        Path source = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && source == null; d = d.getParent()) {
            for (Path c : new Path[] {d.resolve("src/test/c/notify-close.c"), d.resolve("runtime/src/test/c/notify-close.c")}) {
                source = Files.isRegularFile(c) ? c : source;
            }
        }
        assumeTrue(source != null, "notify-close.c not found");
        Path binary = dir.resolve("notify-close");
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-std=gnu11", "-O1", "-Wall", "-Werror", "-pthread", "-o", binary.toString(),
                    source.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no gcc: " + e.getMessage());
            return;
        }
        String log = new String(cc.getInputStream().readAllBytes());
        assertEquals(0, cc.waitFor(), log);
        Process p = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals("blocked=ENOSYS new=ENOSYS pending=1", out);
    }
}
