package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.linux.FileLock;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** `start`: opens the exec fifo the init waits on; the init then execs the user's process. */
public final class Start {
    private static final long POLL_MILLIS = 20;

    private Start() {
    }

    public static void start(Path root, String id) throws OciException {
        StateStore store = new StateStore(root);
        try (FileLock lock = store.lock(id)) {
            ContainerRecord r = store.read(id);
            Status status = store.status(r);
            switch (status) {
                case CREATED -> {
                }
                case STOPPED -> throw new ContainerStateException("cannot start a container that has stopped");
                case RUNNING -> throw new ContainerStateException("cannot start an already running container");
                default -> throw new ContainerStateException("cannot start a container in the " + status.word() + " state");
            }
            Path fifo = store.dir(id).resolve(StateStore.EXEC_FIFO);
            byte[] got = readFifo(fifo, r);
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                throw new OciIoException("remove exec fifo", fifo, e);
            }
            if (got.length == 0) {
                throw new ContainerStateException("cannot start a container that has stopped");
            }
        }
    }

    /**
     * The open blocks until the init opens its end; if the init dies first nothing
     * ever will, so we watch it and open the other end ourselves to get out.
     */
    private static byte[] readFifo(Path fifo, ContainerRecord r) throws OciIoException {
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().name("exec-fifo").start(() -> {
            try {
                read.complete(Files.readAllBytes(fifo));
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
        });
        try {
            while (true) {
                try {
                    return read.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (!Status.initAlive(r)) {
                        try (FileOutputStream unblock = new FileOutputStream(fifo.toFile())) {
                            // opening is all it takes: the reader's open returns, and it reads nothing
                        }
                        return read.get();
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new OciIoException("read exec fifo", fifo,
                    e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (IOException e) {
            throw new OciIoException("open exec fifo", fifo, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reader.interrupt();
            throw new OciIoException("read exec fifo", fifo, new IOException("interrupted"));
        }
    }
}
