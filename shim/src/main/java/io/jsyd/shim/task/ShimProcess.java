package io.jsyd.shim.task;

import io.jsyd.shim.proto.types.Status;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A container's init (execId "") or one of its exec'd processes, as the task API
 * sees it: created, running, paused, stopped, with its exit once reaped.
 */
final class ShimProcess {
    /** How a process ended: its status (128+N for signal N) and when it was reaped. */
    record Exit(int status, Instant at) {
    }

    final String containerId;
    final String execId;
    final String stdin;
    final String stdout;
    final String stderr;
    final boolean terminal;
    /** An exec'd process's spec (runtime-spec Process JSON) until it starts. */
    final byte[] processJson;
    final CompletableFuture<Exit> exit = new CompletableFuture<>();
    private volatile int pid;
    private volatile Status status = Status.CREATED;
    private volatile ProcessIo io;
    /** The supervision of the policy of this process, while it runs; null without one. */
    private volatile io.jsyd.oci.lifecycle.HostedSandbox.Watch supervised;

    ShimProcess(String containerId, String execId, String stdin, String stdout, String stderr, boolean terminal,
                byte[] processJson) {
        this.containerId = containerId;
        this.execId = execId;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.terminal = terminal;
        this.processJson = processJson;
    }

    boolean isInit() {
        return execId.isEmpty();
    }

    int pid() {
        return pid;
    }

    void launched(int pid, ProcessIo io) {
        this.pid = pid;
        this.io = io;
    }

    io.jsyd.oci.lifecycle.HostedSandbox.Watch supervised() {
        return supervised;
    }

    void supervised(io.jsyd.oci.lifecycle.HostedSandbox.Watch w) {
        supervised = w;
    }

    Status status() {
        return exit.isDone() ? Status.STOPPED : status;
    }

    void status(Status s) {
        status = s;
    }

    ProcessIo io() {
        return io;
    }

    /** The exit if it happened, else null. */
    Exit exited() {
        return exit.getNow(null);
    }
}
