package io.jsyd.oci.lifecycle;

import io.jsyd.hooks.StateJson;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.oci.spec.model.State;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The OCI state document a hook reads on stdin (runtime.md "State"): ociVersion,
 * id, status, pid (host pid; left out once stopped, when there is no process),
 * bundle (absolute) and the config's annotations.
 */
public record HookState(String ociVersion, String id, Path bundle, Map<String, String> annotations)
        implements StateJson {
    public HookState {
        bundle = bundle.toAbsolutePath().normalize();
        annotations = annotations == null ? null : Map.copyOf(annotations);
    }

    public static HookState of(Spec spec, String id, Path bundle) {
        return new HookState(spec.getOciVersion(), id, bundle, spec.getAnnotations());
    }

    /** The state a container's record keeps (what create read from the bundle then). */
    public static HookState of(io.jsyd.oci.state.ContainerRecord r) {
        return new HookState(r.ociVersion(), r.id(), Path.of(r.bundle()), r.annotations());
    }

    public State state(State.Status status, int pid) {
        State s = new State();
        s.setOciVersion(ociVersion);
        s.setId(id);
        s.setStatus(status);
        if (pid > 0 && status != State.Status.STOPPED) {
            s.setPid((long) pid);
        }
        s.setBundle(bundle.toString());
        if (annotations != null && !annotations.isEmpty()) {
            s.setAnnotations(new java.util.TreeMap<>(annotations));
        }
        return s;
    }

    public byte[] json(State.Status status, int pid) {
        return SpecJson.compact(state(status, pid)).getBytes(StandardCharsets.UTF_8);
    }

    /** What ContainerHooks asks for: the state by the spec's status name. */
    @Override
    public byte[] render(String status, int pid) {
        return json(State.Status.fromValue(status), pid);
    }
}
