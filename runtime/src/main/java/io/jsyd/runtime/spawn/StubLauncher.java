package io.jsyd.runtime.spawn;

import io.jsyd.runtime.InitStubException;
import io.jsyd.runtime.StubProtocolException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.Memfd;
import io.jsyd.runtime.linux.Pidfd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.Spawn;
import io.jsyd.runtime.linux.UnixSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a plan: starts the stub from its memfd with the sync socket and the sealed
 * plan, answers its SYNC requests, collects the init pid and any fds, and turns a
 * reported failure into an InitStubException naming the op's origin. On any
 * failure nothing it started is left running.
 */
public final class StubLauncher {
    private StubLauncher() {
    }

    /** True when the plan's SYNC with this id comes after CLONE_INIT (the init, not the stub, waits there). */
    private static boolean afterClone(Plan plan, int syncId) {
        boolean cloned = false;
        for (PlanOp op : plan.ops()) {
            cloned |= op.code() == OpCode.CLONE_INIT;
            if (cloned && op.code() == OpCode.SYNC && op.ints().length > 0 && op.ints()[0] == syncId) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param keepFds how many fds above stderr the container inherits (LISTEN_FDS,
     *                --preserve-fds): fds 3 .. 3+keepFds-1 pass through unchanged
     */
    public static Launched launch(InitStub stub, Plan plan, int keepFds, SyncHandler handler) {
        return launch(stub, plan, keepFds, handler, null);
    }

    /**
     * As {@link #launch(InitStub, Plan, int, SyncHandler)}; with {@code stdio} the
     * stub (and so the container process) gets those fds as 0-2 instead of ours.
     * Fds above stderr cannot be passed through then (keepFds must be 0).
     */
    public static Launched launch(InitStub stub, Plan plan, int keepFds, SyncHandler handler, Stdio stdio) {
        if (stdio != null && keepFds != 0) {
            throw new IllegalArgumentException("fds above stderr pass through only with the launcher's own stdio");
        }
        int syncTarget = 3 + keepFds;
        int planTarget = syncTarget + 1;
        UnixSocket[] pair = UnixSocket.seqpacketPair();
        UnixSocket ours = pair[0];
        int stubPid = -1;
        int initPid = -1;
        List<Fd> fds = new ArrayList<>();
        List<OpCode> fdSources = new ArrayList<>();
        ProcessParent parent = ProcessParent.current();
        List<String> notes = new ArrayList<>();
        boolean ok = false;
        try {
            try (UnixSocket theirs = pair[1];
                 Fd planFd = Memfd.sealed("jsyd-plan", plan.encode());
                 Fd syncHigh = theirs.fd().dupAtLeast(planTarget + 1);
                 Fd planHigh = planFd.dupAtLeast(planTarget + 1)) {
                List<Spawn.FdMove> moves = new ArrayList<>(List.of(new Spawn.FdMove(syncHigh, syncTarget),
                        new Spawn.FdMove(planHigh, planTarget)));
                if (stdio != null) {
                    moves.add(new Spawn.FdMove(stdio.in(), 0));
                    moves.add(new Spawn.FdMove(stdio.out(), 1));
                    moves.add(new Spawn.FdMove(stdio.err(), 2));
                }
                stubPid = parent.spawnStub(stub,
                        List.of("jsyd-init", MessageType.PROTOCOL_VERSION,
                                Integer.toString(syncTarget), Integer.toString(planTarget)),
                        stdio == null ? syncTarget : 0, moves);
            }
            Checkpoint.reach("stub spawned");
            while (true) {
                UnixSocket.Received r = ours.receive(StubMessage.SIZE);
                if (r.data().length == 0) {
                    // every copy of the stub's end is closed: the init exec'd (CLOEXEC) or died
                    if (initPid < 0) {
                        throw new StubProtocolException("the init stub exited before it made the container init ("
                                + parent.waitFor(stubPid) + ")");
                    }
                    ok = true;
                    return new Launched(initPid, fds, fdSources, plan, notes);
                }
                StubMessage m = StubMessage.decode(r.data());
                switch (m.type()) {
                    case PID -> {
                        initPid = (int) m.value();
                        Checkpoint.reach("init cloned");
                        parent.waitFor(stubPid);
                        stubPid = -1;
                    }
                    case SYNC -> {
                        if (initPid < 0 && afterClone(plan, (int) m.value())) {
                            // the init and the stub that cloned it race to the socket: its PID comes next
                            StubMessage pid = StubMessage.decode(ours.receive(StubMessage.SIZE).data());
                            if (pid.type() != MessageType.PID) {
                                throw new StubProtocolException("init stub sent " + pid.type() + " instead of the init's pid");
                            }
                            initPid = (int) pid.value();
                            Checkpoint.reach("init cloned");
                            parent.waitFor(stubPid);
                            stubPid = -1;
                        }
                        boolean more;
                        try {
                            more = handler.onSync((int) m.value(), initPid > 0 ? initPid : stubPid);
                        } catch (RuntimeException e) {
                            ours.send(StubMessage.answer(MessageType.ABORT).encode());
                            throw e;
                        }
                        ours.send(StubMessage.answer(MessageType.ACK).encode());
                        handler.acknowledged((int) m.value());
                        if (!more) {
                            ok = true;
                            return new Launched(initPid, fds, fdSources, plan, notes);
                        }
                    }
                    case FD -> {
                        if (r.fd() == null) {
                            throw new StubProtocolException("init stub announced an fd but sent none");
                        }
                        fds.add(r.fd());
                        if (m.op() < 0 || m.op() >= plan.ops().size()) {
                            throw new StubProtocolException("init stub sent an fd for op " + m.op() + " of " + plan.ops().size());
                        }
                        fdSources.add(plan.ops().get(m.op()).code());
                        Checkpoint.reach("fd of op " + m.op() + " received");
                        handler.onFd(m.op(), r.fd(), initPid > 0 ? initPid : stubPid);
                    }
                    case LISTENER -> {
                        int sender = initPid > 0 ? initPid : stubPid;
                        if (m.op() < 0 || m.op() >= plan.ops().size()) {
                            throw new StubProtocolException("init stub announced a listener for op " + m.op() + " of "
                                    + plan.ops().size());
                        }
                        // the sender is our child (or the client's, for a served create), alive and waiting for
                        // the answer: its pid cannot have been reused
                        Fd listener;
                        try (Pidfd pidfd = Pidfd.open(sender)) {
                            listener = pidfd.takeFd((int) m.value());
                        }
                        fds.add(listener);
                        fdSources.add(plan.ops().get(m.op()).code());
                        ours.send(StubMessage.answer(MessageType.ACK).encode());
                        Checkpoint.reach("fd of op " + m.op() + " received");
                        handler.onFd(m.op(), listener, sender);
                    }
                    case NOTE -> notes.add(plan.originOf(m.op()) + ": " + m.text() + ": "
                            + io.jsyd.runtime.linux.Errno.describe(m.errno()) + "; skipped (best effort)");
                    case ERROR -> throw new InitStubException(m.op(), plan.originOf(m.op()), m.errno(), m.text());
                    case ACK, ABORT -> throw new StubProtocolException("init stub sent " + m.type());
                }
            }
        } finally {
            ours.close();
            if (!ok) {
                for (int pid : new int[] {initPid, stubPid}) {
                    if (pid > 0) {
                        Processes.signalIfAlive(pid, (int) LinuxConstants.SIGKILL);
                        try {
                            parent.waitFor(pid);
                        } catch (io.jsyd.runtime.SyscallException e) {
                            // a traced init is reaped by its tracer (the ptrace layer): ECHILD here is that
                            if (!e.is(io.jsyd.runtime.linux.Errno.ECHILD)) {
                                throw e;
                            }
                        }
                    }
                }
                fds.forEach(Fd::close);
            }
        }
    }
}
