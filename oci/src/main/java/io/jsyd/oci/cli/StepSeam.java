package io.jsyd.oci.cli;

import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.spawn.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The crash-safety tests' seam (see {@link Checkpoint}), read by {@link Main} only:
 * {@value #LOG}=FILE appends each step reached to FILE, one a line;
 * {@value #STOP_AT}=STEP makes this process stop itself (SIGSTOP) at that step,
 * after logging it, so that the test kills it (SIGKILL) exactly there instead of
 * sleeping and hoping. The command server never reads it.
 */
record StepSeam(Path log, String stopAt) implements Checkpoint {
    static final String LOG = "JSYD_OCI_TEST_STEP_LOG";
    static final String STOP_AT = "JSYD_OCI_TEST_STOP_AT";

    /** The seam the environment asks for, or null. */
    static StepSeam of(Map<String, String> env) {
        String log = env.get(LOG);
        String stopAt = env.get(STOP_AT);
        if ((log == null || log.isEmpty()) && (stopAt == null || stopAt.isEmpty())) {
            return null;
        }
        return new StepSeam(log == null || log.isEmpty() ? null : Path.of(log), stopAt);
    }

    @Override
    public void reached(String step) {
        if (log != null) {
            try {
                Files.writeString(log, step + "\n", StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("append to " + log, e);
            }
        }
        if (step.equals(stopAt)) {
            Processes.stopThisThread();
        }
    }
}
