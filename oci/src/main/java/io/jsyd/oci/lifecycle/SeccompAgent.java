package io.jsyd.oci.lifecycle;

import io.jsyd.oci.features.SpecVersions;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.LinuxSeccomp;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.oci.spec.model.State;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.UnixSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.ObjIntConsumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hands a container's seccomp listener to the agent listening at
 * {@code linux.seccomp.listenerPath}, as runc does: one connection per container,
 * one message of the container process state as JSON (config-linux.md, "The
 * Container Process State") with the fd attached (SCM_RIGHTS) and named
 * "seccompFd" in its {@code fds} array, then the connection is closed.
 */
public final class SeccompAgent {
    /** The name the runtime-spec gives the listener in {@code fds}. */
    public static final String SECCOMP_FD_NAME = "seccompFd";

    private SeccompAgent() {
    }

    /**
     * What the launcher calls with the listener and the init's pid. The listener
     * arrives before the init execs, so the state says "creating", as runc's create
     * sends it.
     */
    public static ObjIntConsumer<Fd> handoff(Spec spec, String id, Path bundle) {
        LinuxSeccomp seccomp = spec.getLinux() == null ? null : spec.getLinux().getSeccomp();
        String listenerPath = seccomp == null ? null : seccomp.getListenerPath();
        return (fd, pid) -> {
            if (listenerPath == null || listenerPath.isEmpty()) {
                throw new IllegalStateException("the init sent a seccomp listener but linux.seccomp.listenerPath is unset");
            }
            byte[] state = processState(spec, id, bundle, pid, "creating");
            send(bundle.resolve(listenerPath), fd, state);
        };
    }

    /** The container process state: the OCI state of the container plus the fd names and the metadata. */
    static byte[] processState(Spec spec, String id, Path bundle, int pid, String status) {
        State state = new State();
        state.setOciVersion(SpecVersions.MAX);
        state.setId(id);
        state.setStatus(State.Status.fromValue(status));
        state.setPid((long) pid);
        state.setBundle(bundle.toAbsolutePath().normalize().toString());
        if (spec.getAnnotations() != null && !spec.getAnnotations().isEmpty()) {
            state.setAnnotations(spec.getAnnotations());
        }
        ObjectNode doc = SpecJson.mapper().createObjectNode();
        doc.put("ociVersion", SpecVersions.MAX);
        doc.putArray("fds").add(SECCOMP_FD_NAME);
        doc.put("pid", pid);
        String metadata = spec.getLinux().getSeccomp().getListenerMetadata();
        if (metadata != null && !metadata.isEmpty()) {
            // runc leaves it out when empty (omitempty)
            doc.put("metadata", metadata);
        }
        doc.set("state", SpecJson.tree(state));
        return SpecJson.compact(doc).getBytes(StandardCharsets.UTF_8);
    }

    static void send(Path socket, Fd listener, byte[] state) {
        try (UnixSocket agent = UnixSocket.connect(socket)) {
            agent.sendWithFd(state, listener);
        } catch (SyscallException e) {
            throw new SyscallException(e.syscall(), e.errno(), "linux.seccomp.listenerPath " + socket);
        }
    }
}
