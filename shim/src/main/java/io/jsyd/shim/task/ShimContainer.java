package io.jsyd.shim.task;

import io.jsyd.oci.lifecycle.HostedSandbox;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One container of the pod: its bundle, its init and its exec'd processes by exec id. */
final class ShimContainer {
    final String id;
    final Path bundle;
    final ShimProcess init;
    final boolean rootfsMounted;
    /** The supervision of its sandbox policy, in this process; null without a policy. */
    final HostedSandbox sandbox;
    final Map<String, ShimProcess> execs = new ConcurrentHashMap<>();

    ShimContainer(String id, Path bundle, ShimProcess init, boolean rootfsMounted, HostedSandbox sandbox) {
        this.id = id;
        this.bundle = bundle;
        this.init = init;
        this.rootfsMounted = rootfsMounted;
        this.sandbox = sandbox;
    }
}
