package io.jsyd.oci.lifecycle;

import io.jsyd.oci.cli.Request;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;

/**
 * process.terminal in the foreground, as runc does it: the container's pty master
 * is copied to and from the caller's stdio, the caller's terminal (when stdin is
 * one) is put in raw mode and its size follows SIGWINCH.
 */
final class ConsoleRelay implements AutoCloseable {
    /** The caller's terminal: this process's stdin (a resident server would get the client's). */
    private static final int CALLER_TTY = 0;

    private final Fd master;
    private final boolean callerTty;
    private final AutoCloseable rawMode;
    private final Thread output;

    private ConsoleRelay(Fd master, boolean callerTty, AutoCloseable rawMode, Thread output) {
        this.master = master;
        this.callerTty = callerTty;
        this.rawMode = rawMode;
        this.output = output;
    }

    static ConsoleRelay start(Fd master, Request request) {
        boolean tty = Terminal.isTerminal(CALLER_TTY);
        AutoCloseable raw = null;
        if (tty) {
            Terminal.resize(master, Terminal.size(CALLER_TTY));
            raw = Terminal.raw(CALLER_TTY);
        }
        PrintStream out = request.out();
        Thread output = Thread.ofPlatform().name("jsyd-console-out").daemon().start(() -> {
            byte[] buf = new byte[8192];
            int n;
            while ((n = Terminal.read(master, buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        });
        // its own copy of the master: the input side may block in read() past the container's end
        Fd input = master.dupAtLeast(3);
        InputStream in = request.in();
        Thread.ofPlatform().name("jsyd-console-in").daemon().start(() -> {
            try (input) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    Terminal.writeAll(input, buf, n);
                }
            } catch (IOException | KernelException e) {
                // the caller's stdin or the container's terminal is gone: nothing more to copy
            }
        });
        return new ConsoleRelay(master, tty, raw, output);
    }

    /** SIGWINCH: the container's terminal takes the caller's new size. */
    void resize() {
        if (callerTty && master.isOpen()) {
            Terminal.resize(master, Terminal.size(CALLER_TTY));
        }
    }

    /** Waits for the container's last output (the pty ends when its last process does). */
    void drain(Duration timeout) throws InterruptedException {
        output.join(timeout);
    }

    @Override
    public void close() {
        try {
            if (rawMode != null) {
                rawMode.close();
            }
        } catch (Exception e) {
            // restoring the caller's terminal is best effort: it may be gone
        } finally {
            if (!output.isAlive()) {
                master.close();
            }
        }
    }
}
