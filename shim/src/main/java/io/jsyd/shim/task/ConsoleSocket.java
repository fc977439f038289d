package io.jsyd.shim.task;

import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.UnixSocket;
import io.jsyd.shim.sys.ShimSys;
import io.jsyd.shim.ttrpc.Code;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The --console-socket of a container or exec with a terminal, in-process: a
 * listening socket the front end's create/exec connects to and sends the pty's
 * master over (as runc does to its caller).
 */
final class ConsoleSocket implements AutoCloseable {
    private static final long WAIT_SECONDS = 30;

    private final Path path;
    private final Fd listener;
    private final CompletableFuture<Fd> master = new CompletableFuture<>();

    private ConsoleSocket(Path path, Fd listener) {
        this.path = path;
        this.listener = listener;
    }

    static ConsoleSocket listen(Path path) throws TtrpcException {
        Fd l;
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path);
            l = ShimSys.listenUnix(path);
        } catch (IOException | KernelException e) {
            throw new TtrpcException(Code.INTERNAL, "console socket " + path + ": " + e.getMessage(), e);
        }
        ConsoleSocket c = new ConsoleSocket(path, l);
        Thread.ofPlatform().daemon().name("console-accept").start(() -> {
            try (UnixSocket s = UnixSocket.adopt(ShimSys.accept(l))) {
                UnixSocket.Received r = s.receive(4096);
                if (r.fd() == null) {
                    c.master.completeExceptionally(new IOException("the console socket got no fd"));
                } else {
                    c.master.complete(r.fd());
                }
            } catch (RuntimeException e) {
                c.master.completeExceptionally(e);
            }
        });
        return c;
    }

    Path path() {
        return path;
    }

    /** The pty master, once create/exec sent it. */
    Fd master() throws TtrpcException {
        try {
            return master.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new TtrpcException(Code.INTERNAL, "receive the terminal: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new TtrpcException(Code.INTERNAL, "no terminal came over " + path + " in " + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted while waiting for the terminal");
        }
    }

    @Override
    public void close() {
        ShimSys.shutdown(listener);
        listener.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover socket file in the shim's own directory: the next one of this name replaces it
        }
    }
}
