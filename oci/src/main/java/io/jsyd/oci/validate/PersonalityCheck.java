package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxPersonality;

/** linux.personality: runtime-spec 1.3 defines no flags, so any given are ignored (runc warns too). */
final class PersonalityCheck {
    private PersonalityCheck() {
    }

    static void personality(Context c, Problems out) {
        LinuxPersonality personality = c.linux() == null ? null : c.linux().getPersonality();
        if (personality != null && !Json.list(personality.getFlags()).isEmpty()) {
            out.warning("$.linux.personality.flags", "are ignored: runtime-spec defines no personality flags yet");
        }
    }
}
