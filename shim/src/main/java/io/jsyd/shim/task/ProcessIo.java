package io.jsyd.shim.task;

import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.spawn.Stdio;
import io.jsyd.shim.sys.ShimSys;
import io.jsyd.shim.ttrpc.Code;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.IOException;
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
    /** With a terminal: where the pty's output goes (the stdout fifo), and the pty's master. */
    private final Fd ttyOut;
    private volatile Fd master;
    private volatile boolean stdinClosed;

    private ProcessIo(Stdio stdio, Fd stdinWrite, String stdinPath, Fd ttyOut) {
        this.stdio = stdio;
        this.stdinWrite = stdinWrite;
        this.stdinPath = stdinPath;
        this.ttyOut = ttyOut;
    }

    /**
     * A process with a terminal: it gets the pty (its stdio here is /dev/null until the
     * init makes the pty's slave its 0-2); the shim copies the stdin fifo into the
     * master and the master's output into the stdout fifo.
     */
    static ProcessIo openTerminal(String stdin, String stdout) throws TtrpcException {
        Fd[] fds = new Fd[4];
        try {
            for (int i = 0; i < 3; i++) {
                fds[i] = devNull();
            }
            fds[3] = output(stdout);
            return new ProcessIo(new Stdio(fds[0], fds[1], fds[2]), null, stdin, fds[3]);
        } catch (KernelException e) {
            for (Fd fd : fds) {
                if (fd != null) {
                    fd.close();
                }
            }
            throw new TtrpcException(Code.INVALID_ARGUMENT, "open the terminal's stdio: " + e.getMessage(), e);
        }
    }

    /** The pty's master has come: the copying starts. */
    void attach(Fd master, String name) {
        this.master = master;
        Thread.ofPlatform().daemon().name("tty-out-" + name).start(() -> {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = io.jsyd.runtime.linux.Terminal.read(master, buf)) > 0) {
                    ShimSys.writeAll(ttyOut, buf, n);
                }
            } catch (KernelException | IllegalStateException e) {
                // the reader went away, or the process was deleted: nothing more to copy
            } finally {
                // containerd's reader sees the end of output once our copy of the fifo goes
                ttyOut.close();
            }
        });
        if (stdinPath.isEmpty()) {
            return;
        }
        Thread.ofPlatform().daemon().name("tty-in-" + name).start(() -> {
            try (Fd fifo = ShimSys.open(Path.of(stdinPath), (int) LinuxConstants.O_RDONLY, 0)) {
                byte[] buf = new byte[32 * 1024];
                int n;
                while (!stdinClosed && (n = ShimSys.read(fifo, buf)) > 0) {
                    io.jsyd.runtime.linux.Terminal.writeAll(master, buf, n);
                }
            } catch (KernelException | IllegalStateException e) {
                // the terminal is gone: its process ended
            }
        });
    }

    /** ResizePty: the pty's window size (TIOCSWINSZ on the master). */
    void resize(int width, int height) throws TtrpcException {
        Fd m = master;
        if (m == null) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "the process has no terminal to resize");
        }
        io.jsyd.runtime.linux.Terminal.resize(m, new io.jsyd.runtime.linux.Terminal.Size(height, width));
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
            return new ProcessIo(new Stdio(in, out, err), inWrite, stdin, null);
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
    void started(String name) {
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

    /** CloseIO: the process reads the end of its input (with a terminal: no more input is copied). */
    void closeStdin() {
        stdinClosed = true;
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
        Fd m = master;
        if (m != null) {
            m.close();
        }
        if (ttyOut != null) {
            ttyOut.close();
        }
    }
}
