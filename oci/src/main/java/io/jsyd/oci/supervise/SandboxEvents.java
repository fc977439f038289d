package io.jsyd.oci.supervise;

import io.jsyd.runtime.text.JsonText;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A source of `events`: the container's sandbox log, followed from its start,
 * each line printed as runc prints its events, {@code {"type":"sandbox","id":ID,"data":LINE}}.
 * Runs on a thread of its own until closed; what was written before the close is
 * printed before close returns.
 */
public final class SandboxEvents implements AutoCloseable {
    private static final long POLL_MILLIS = 100;

    private final Path log;
    private final String id;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean closing;
    private long offset;
    private final StringBuilder partial = new StringBuilder();

    private SandboxEvents(Path stateDir, String id, PrintStream out) {
        this.log = stateDir.resolve(SupervisorPaths.SANDBOX_LOG);
        this.id = id;
        this.out = out;
        this.thread = Thread.ofPlatform().daemon().name("jsyd-events-sandbox").unstarted(this::follow);
    }

    public static SandboxEvents follow(Path stateDir, String id, PrintStream out) {
        SandboxEvents e = new SandboxEvents(stateDir, id, out);
        e.thread.start();
        return e;
    }

    private void follow() {
        while (true) {
            boolean last = closing;
            drain();
            if (last) {
                return;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                closing = true;
            }
        }
    }

    private void drain() {
        if (!Files.exists(log)) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            if (f.length() <= offset) {
                return;
            }
            f.seek(offset);
            byte[] buf = new byte[(int) Math.min(f.length() - offset, 1 << 20)];
            f.readFully(buf);
            offset += buf.length;
            partial.append(new String(buf, StandardCharsets.UTF_8));
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, nl).strip();
                partial.delete(0, nl + 1);
                if (line.startsWith("{")) {
                    StringBuilder b = new StringBuilder("{\"type\":\"sandbox\",\"id\":");
                    JsonText.quote(b, id);
                    out.println(b.append(",\"data\":").append(line).append('}'));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the state directory went with `delete`: nothing more to stream
        }
    }

    @Override
    public void close() {
        closing = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
