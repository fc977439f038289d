package io.jsyd.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v2 watch reacts to a change of memory.events' oom count (inotify works on any file). */
class OomWatchTest {
    @Test
    void anOomCountChangeIsAnEventAndOtherChangesAreNot(@TempDir Path dir) throws Exception {
        Path events = dir.resolve("memory.events");
        Files.writeString(events, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        CgroupFiles files = new CgroupFiles(CgroupFs.system());
        try (CgroupManager.OomWatch w = OomWatches.v2(files, dir)) {
            assertFalse(w.await(50));
            Files.writeString(events, "low 0\nhigh 3\nmax 0\noom 0\noom_kill 0\n");
            assertFalse(w.await(100), "only oom counts");
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(100);
                    Files.writeString(events, "low 0\nhigh 3\nmax 1\noom 1\noom_kill 1\n");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(w.await(5000));
            writer.join();
            Files.delete(events);
            assertFalse(w.await(100), "a cgroup that is gone has no more events");
        }
    }
}
