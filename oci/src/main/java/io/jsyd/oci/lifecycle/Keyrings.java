package io.jsyd.oci.lifecycle;

import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.container.NamespaceKind;
import io.jsyd.runtime.container.SessionKeyring;

/**
 * runc's session keyring: the container's init joins a new one named
 * {@code _ses.ID} (made searchable by its owner, or by anyone when the container
 * has a user namespace, whose ids the joiners do not share) and every process
 * `exec` starts joins the same one by name; {@code --no-new-keyring} leaves the
 * caller's (runc's standard_init_linux.go and setns_init_linux.go).
 */
final class Keyrings {
    private Keyrings() {
    }

    static String name(String id) {
        return "_ses." + id;
    }

    /** The init's config with its own session keyring unless {@code noNewKeyring}. */
    static ContainerConfig forInit(ContainerConfig c, boolean noNewKeyring) {
        if (noNewKeyring) {
            return c;
        }
        long search = c.namespace(NamespaceKind.USER) != null ? SessionKeyring.OTHER_SEARCH : SessionKeyring.USER_SEARCH;
        return c.withProcess(c.process().withKeyring(new SessionKeyring(name(c.id()), search)));
    }

    /** An exec'd process's config: it joins the container's keyring, if the container has one. */
    static ContainerConfig forExec(ContainerConfig c, boolean noNewKeyring) {
        if (noNewKeyring) {
            return c;
        }
        return c.withProcess(c.process().withKeyring(new SessionKeyring(name(c.id()), 0)));
    }
}
