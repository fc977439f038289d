package io.jsyd.hooks;

import io.jsyd.runtime.container.HookPoints;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A container's hooks by kind, and where a lifecycle runs them. The API a lifecycle
 * (foreground `run`, or create/start/delete) calls:
 * <ol>
 * <li>create: {@link #launchPoints} goes to ContainerLauncher.launch; it runs prestart
 *     then createRuntime in the runtime namespace while the init waits before
 *     pivot_root. A failure there is thrown out of the launch (the init is gone).</li>
 * <li>start, once the user process runs: {@link #poststart}; failures are returned
 *     as warnings (runtime-spec 1.3: log a warning, go on).</li>
 * <li>delete, after the container's resources are gone, and also after a failed
 *     create or start (the spec's "continue the lifecycle at destroy"):
 *     {@link #poststop}; failures are warnings, delete still succeeds.</li>
 * </ol>
 * State JSON is built by the caller (it knows the OCI state); this module only
 * hands it to each hook on stdin. Hooks run with {@code dir} (the bundle, as runc
 * does; null: the caller's) as their working directory.
 */
public record ContainerHooks(Map<HookKind, List<Hook>> byKind, Path dir) {
    public static final ContainerHooks NONE = new ContainerHooks(Map.of(), null);

    public ContainerHooks {
        Map<HookKind, List<Hook>> copy = new EnumMap<>(HookKind.class);
        byKind.forEach((k, v) -> {
            if (!v.isEmpty()) {
                copy.put(k, List.copyOf(v));
            }
        });
        byKind = java.util.Collections.unmodifiableMap(copy);
    }

    public List<Hook> of(HookKind kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    public boolean isEmpty() {
        return byKind.isEmpty();
    }

    /**
     * The launch's hook points: prestart and createRuntime run before pivot_root with
     * {@code creatingState.apply(initPid)} on stdin (status "creating").
     */
    public HookPoints launchPoints(IntFunction<byte[]> creatingState) {
        List<Hook> prestart = of(HookKind.PRESTART);
        List<Hook> createRuntime = of(HookKind.CREATE_RUNTIME);
        return new HookPoints() {
            @Override
            public boolean parentBeforePivot() {
                return !prestart.isEmpty() || !createRuntime.isEmpty();
            }

            @Override
            public void beforePivot(int initPid) {
                byte[] state = creatingState.apply(initPid);
                HookRunner.runAll(HookKind.PRESTART, prestart, state, dir);
                HookRunner.runAll(HookKind.CREATE_RUNTIME, createRuntime, state, dir);
            }
        };
    }

    /** Runs every poststart hook with {@code runningState}; returns the failures. */
    public List<HookFailedException> poststart(byte[] runningState) {
        return HookRunner.runWarning(HookKind.POSTSTART, of(HookKind.POSTSTART), runningState, dir);
    }

    /** Runs every poststop hook with {@code stoppedState}; returns the failures. */
    public List<HookFailedException> poststop(byte[] stoppedState) {
        return HookRunner.runWarning(HookKind.POSTSTOP, of(HookKind.POSTSTOP), stoppedState, dir);
    }
}
