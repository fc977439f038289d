package io.jsyd.oci.convert;

import io.jsyd.hooks.ContainerHooks;
import io.jsyd.hooks.Hook;
import io.jsyd.hooks.HookKind;
import io.jsyd.oci.spec.model.Hooks;
import io.jsyd.oci.spec.model.Spec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * spec.hooks -> the hooks module's records. Absent args give argv = [path], absent
 * env an empty environment (runc would pass its own; a hook gets only what the
 * config gives it here), absent timeout no limit. The validator has already
 * checked paths (absolute) and timeouts (> 0).
 */
public final class HookConverter {
    private HookConverter() {
    }

    /** @param bundle the hooks' working directory, as runc gives them */
    public static ContainerHooks convert(Spec spec, java.nio.file.Path bundle) {
        return convert(spec.getHooks(), bundle);
    }

    /** As {@link #convert(Spec, java.nio.file.Path)}, from the hooks alone (those a container's record kept). */
    public static ContainerHooks convert(Hooks h, java.nio.file.Path bundle) {
        if (h == null) {
            return ContainerHooks.NONE;
        }
        Map<HookKind, List<Hook>> byKind = new EnumMap<>(HookKind.class);
        put(byKind, HookKind.PRESTART, h.getPrestart());
        put(byKind, HookKind.CREATE_RUNTIME, h.getCreateRuntime());
        put(byKind, HookKind.CREATE_CONTAINER, h.getCreateContainer());
        put(byKind, HookKind.START_CONTAINER, h.getStartContainer());
        put(byKind, HookKind.POSTSTART, h.getPoststart());
        put(byKind, HookKind.POSTSTOP, h.getPoststop());
        return new ContainerHooks(byKind, bundle.toAbsolutePath().normalize());
    }

    private static void put(Map<HookKind, List<Hook>> out, HookKind kind, List<io.jsyd.oci.spec.model.Hook> hooks) {
        if (hooks == null) {
            return;
        }
        List<Hook> converted = new ArrayList<>();
        for (io.jsyd.oci.spec.model.Hook h : hooks) {
            converted.add(new Hook(h.getPath(), h.getArgs() == null ? List.of() : h.getArgs(),
                    h.getEnv() == null ? List.of() : h.getEnv(),
                    h.getTimeout() == null ? null : Duration.ofSeconds(h.getTimeout())));
        }
        out.put(kind, converted);
    }
}
