package io.jsyd.shim.task;

import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.spawn.Stdio;
import io.jsyd.shim.sys.ShimSys;
import io.jsyd.shim.ttrpc.Code;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A process's stdio from the paths containerd gives: stdout and stderr are the
 * fifos themselves (opened read-write, so the open never waits for containerd's
 * reader, and closed here once the process has its copies: containerd sees the
 * end of output when the process's last copy goes), or a file:// log. Stdin goes
 * through a pipe that a thread fills from the fifo, so that the process sees the
 * end of its input when containerd closes the fifo or calls CloseIO.
 */
final class ProcessIo implements AutoCloseable {
    private final Stdio stdio;
    private final Fd stdinWrite;
    private final String stdinPath;

    private ProcessIo(Stdio stdio, Fd stdinWrite, String stdinPath) {
        this.stdio = stdio;
        this.stdinWrite = stdinWrite;
        this.stdinPath = stdinPath;
    }

    static ProcessIo open(String stdin, String stdout, String stderr) throws TtrpcException {
        Fd in = null;
        Fd inWrite = null;
        Fd out = null;
        Fd err = null;
        try {
            if (stdin.isEmpty()) {
                in = devNull();
            } else {
                Fd[] pipe = ShimSys.pipe();
                in = pipe[0];
                inWrite = pipe[1];
            }
            out = output(stdout);
            err = output(stderr);
            return new ProcessIo(new Stdio(in, out, err), inWrite, stdin);
        } catch (KernelException e) {
            for (Fd fd : new Fd[] {in, inWrite, out, err}) {
                if (fd != null) {
                    fd.close();
                }
            }
            throw new TtrpcException(Code.INVALID_ARGUMENT, "open the process's stdio: " + e.getMessage(), e);
        }
    }

    private static Fd devNull() {
        return ShimSys.open(Path.of("/dev/null"), (int) LinuxConstants.O_RDWR, 0);
    }

    private static Fd output(String target) throws TtrpcException {
        if (target.isEmpty()) {
            return devNull();
        }
        Path path;
        if (target.startsWith("file://")) {
            path = Path.of(URI.create(target));
        } else if (target.contains("://")) {
            throw new TtrpcException(Code.UNIMPLEMENTED, "stdio " + target
                    + ": containerd-shim-jsyd-v2 takes fifos and file:// logs, not this scheme");
        } else {
            path = Path.of(target);
        }
        if (isFifo(path)) {
            return ShimSys.open(path, (int) LinuxConstants.O_RDWR, 0);
        }
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "create the log directory of " + path + ": " + e.getMessage());
        }
        return ShimSys.open(path, (int) (LinuxConstants.O_WRONLY | LinuxConstants.O_APPEND | LinuxConstants.O_CREAT),
                0640);
    }

    private static boolean isFifo(Path p) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0010000;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    Stdio stdio() {
        return stdio;
    }

    /**
     * The process has its copies now: ours of its side go, and a thread starts to
     * copy the stdin fifo into the pipe.
     */
    void started(String name, PrintStream log) {
        stdio.in().close();
        stdio.out().close();
        stdio.err().close();
        if (stdinWrite == null) {
            return;
        }
        Thread.ofPlatform().daemon().name("stdin-" + name).start(() -> {
            // opening a fifo for reading waits for its writer (containerd's client)
            try (Fd fifo = ShimSys.open(Path.of(stdinPath), (int) LinuxConstants.O_RDONLY, 0)) {
                byte[] buf = new byte[32 * 1024];
                int n;
                while ((n = ShimSys.read(fifo, buf)) > 0) {
                    ShimSys.writeAll(stdinWrite, buf, n);
                }
            } catch (KernelException | IllegalStateException e) {
                // the process is gone (EPIPE), or CloseIO closed the pipe: nothing to copy into
            } finally {
                closeStdin();
            }
        });
    }

    /** CloseIO: the process reads the end of its input. */
    void closeStdin() {
        if (stdinWrite != null) {
            stdinWrite.close();
        }
    }

    /** Closes everything of ours (the launch failed, or the process is deleted). */
    @Override
    public void close() {
        stdio.in().close();
        stdio.out().close();
        stdio.err().close();
        closeStdin();
    }
}
