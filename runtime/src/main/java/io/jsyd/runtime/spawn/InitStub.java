package io.jsyd.runtime.spawn;

import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Memfd;
import io.jsyd.runtime.linux.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The init stub binary, copied out of the jar into a sealed memfd. The stub is
 * executed from there, so a container can never reach or overwrite a host file
 * through /proc/PID/exe (CVE-2019-5736): the memfd cannot be written once sealed.
 */
public final class InitStub implements AutoCloseable {
    private static final String RESOURCE = "jsyd-init";
    private final Fd memfd;
    private final String execPath;

    private InitStub(Fd memfd) {
        this.memfd = memfd;
        // the child closes fds before exec, so it must reach ours through our pid
        this.execPath = "/proc/" + Processes.self() + "/fd/" + memfd.get();
    }

    public static InitStub load() {
        byte[] binary;
        try (InputStream in = InitStub.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the init stub is missing from the runtime jar ("
                        + InitStub.class.getPackageName() + "/" + RESOURCE + "): the build did not compile it");
            }
            binary = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the init stub from the runtime jar", e);
        }
        return new InitStub(Memfd.sealed(RESOURCE, binary));
    }

    String execPath() {
        return execPath;
    }

    /** The sealed memfd, for a parent in another process that executes it with fexecve. */
    public Fd memfd() {
        return memfd;
    }

    @Override
    public void close() {
        memfd.close();
    }
}
