package io.jsyd.runtime.cgroup;

/** The container's cgroup: where it goes and what it limits. */
public record CgroupConfig(CgroupPath path, Resources resources) {
    public CgroupConfig {
        if (path == null) {
            throw new IllegalArgumentException("a cgroup needs a path");
        }
        resources = resources == null ? Resources.NONE : resources;
    }
}
