package io.jsyd.oci.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.convert.SeccompConverter;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.LinuxSeccomp;
import io.jsyd.oci.spec.model.SeccompAction;
import io.jsyd.oci.spec.model.SeccompArch;
import io.jsyd.oci.spec.model.SeccompFeatures;
import io.jsyd.oci.spec.model.SeccompFlag;
import io.jsyd.oci.spec.model.SeccompOperator;
import io.jsyd.runtime.seccomp.Libseccomp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seccomp part of `features` is what the converter really accepts on this host. */
class SeccompSupportTest {
    private static SeccompFeatures document(SeccompSupport support) {
        Features doc = new Features();
        support.addTo(doc);
        return doc.getLinux().getSeccomp();
    }

    @Test
    void withoutLibseccompNothingIsClaimed() {
        SeccompFeatures f = document(new SeccompSupport(() -> SeccompSupport.Facts.NONE));
        assertFalse(f.getEnabled());
        assertEquals(List.of(), f.getActions());
        assertEquals(List.of(), f.getSupportedFlags());
    }

    @Test
    void everyClaimedNameConvertsAndEveryOtherIsRefused() {
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        SeccompFeatures f = document(new SeccompSupport());
        assertTrue(f.getEnabled());
        for (SeccompAction a : SeccompAction.values()) {
            if (a == SeccompAction.SCMP_ACT_NOTIFY) {
                continue; // a notify rule also needs a listener path; its compile is covered below
            }
            String json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"], \"action\": \""
                    + a.value() + "\"}]}";
            assertEquals(f.getActions().contains(a), errors(json).isEmpty(), a.value());
        }
        assertTrue(f.getActions().contains(SeccompAction.SCMP_ACT_NOTIFY) == Libseccomp.get().accepts(
                io.jsyd.runtime.seccomp.SeccompAction.NOTIFY));
        for (SeccompOperator o : SeccompOperator.values()) {
            String json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"], \"action\":"
                    + " \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"" + o.value() + "\"}]}]}";
            assertEquals(f.getOperators().contains(o), errors(json).isEmpty(), o.value());
        }
        for (SeccompArch a : SeccompArch.values()) {
            String json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"" + a.value() + "\"]}";
            assertEquals(f.getArchs().contains(a), errors(json).isEmpty(), a.value());
        }
        assertEquals(List.of(SeccompFlag.values()), f.getKnownFlags());
        for (SeccompFlag flag : SeccompFlag.values()) {
            if (flag == SeccompFlag.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
                continue; // needs a notify rule, below
            }
            String json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"" + flag.value() + "\"]}";
            assertEquals(f.getSupportedFlags().contains(flag), errors(json).isEmpty(), flag.value());
        }
        String waitKill = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
                + " \"listenerPath\": \"/x\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}";
        assertEquals(f.getSupportedFlags().contains(SeccompFlag.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
                errors(waitKill).isEmpty());
        // the common ones, on any host that runs containers today
        assertTrue(f.getActions().containsAll(List.of(SeccompAction.SCMP_ACT_ALLOW, SeccompAction.SCMP_ACT_ERRNO,
                SeccompAction.SCMP_ACT_KILL, SeccompAction.SCMP_ACT_TRAP)));
        assertTrue(f.getArchs().contains(SeccompArch.SCMP_ARCH_X_86_64) || f.getArchs().contains(SeccompArch.SCMP_ARCH_AARCH_64));
    }

    private static List<?> errors(String json) {
        return SeccompConverter.convert(SpecJson.mapper().readValue(json, LinuxSeccomp.class), Path.of("/c.json")).errors();
    }
}
