package io.jsyd.oci.lifecycle;

import io.jsyd.hooks.ContainerHooks;
import io.jsyd.hooks.HookFailedException;
import io.jsyd.hooks.HookKind;
import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.convert.HookConverter;
import io.jsyd.oci.spec.model.State;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.InitStubException;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Processes;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * `start`: opens the exec fifo the init waits on; the init then runs its
 * startContainer hooks and execs the user's process. The fifo's write end stays
 * open in the init until that exec, so reading it to its end waits for both, and a
 * failure on the way arrives after the init's 0. Then the poststart hooks run.
 */
public final class Start {
    private static final long POLL_MILLIS = 20;

    private Start() {
    }

    public static void start(Path root, String id) throws OciException {
        StateStore store = new StateStore(root);
        ContainerRecord r;
        try (FileLock lock = store.lock(id)) {
            r = store.read(id);
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
            if (got.length > 1) {
                // the init failed after the fifo (a startContainer hook): it is gone, the container stopped
                throw new ContainerFailedException(id, lateFailure(r, new String(got, 1, got.length - 1,
                        StandardCharsets.UTF_8)));
            }
        }
        // unlocked: a poststart hook may ask this runtime for the container's state, as it can runc's
        poststart(r);
    }

    /**
     * The user process runs: poststart, in the runtime namespace. A failure stops the
     * container (runtime.md lifecycle step 9); as runc does, the rest of the teardown and
     * poststop are left to `delete`.
     */
    private static void poststart(ContainerRecord r) throws OciException {
        ContainerHooks hooks = HookConverter.convert(r.hooks(), Path.of(r.bundle()));
        if (hooks.of(HookKind.POSTSTART).isEmpty()) {
            return;
        }
        try {
            hooks.poststart(HookState.of(r).json(State.Status.RUNNING, r.pid()));
        } catch (HookFailedException e) {
            // by its start time too: the process may have ended and its pid been reused meanwhile
            if (Status.initAlive(r)) {
                Processes.signalIfAlive(r.pid(), 9);
            }
            try {
                Delete.awaitDeath(r);
            } catch (ContainerStateException stuck) {
                e.addSuppressed(stuck);
            }
            throw new ContainerFailedException(r.id(), e);
        }
    }

    /** The stub's line after the fifo's 0: op index, errno and text, tab-separated. */
    static InitStubException lateFailure(ContainerRecord r, String line) {
        String[] f = line.strip().split("\t", 3);
        try {
            int op = Integer.parseInt(f[0]);
            int errno = Integer.parseInt(f[1]);
            return new InitStubException(op, r.afterStart().getOrDefault(f[0], ""), errno, f.length > 2 ? f[2] : "");
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return new InitStubException(-1, "", 0, "failed after start: " + line.strip());
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
