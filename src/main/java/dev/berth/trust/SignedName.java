package dev.berth.trust;

import java.util.Set;

/**
 * The repository a signature must name in its {@code docker-reference}: the repository's path on its registry, and
 * the host names that registry goes by (its name, the upstream's address, Docker Hub's aliases). An empty host set, a
 * private repository's, accepts any host: berth does not know the name its clients reach it by.
 */
record SignedName(String path, Set<String> hosts) {
    private static final Set<String> DOCKER_HUB = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

    /** Whether {@code reference} ({@code index.docker.io/myorg/app}, with or without a tag or digest) names it. */
    boolean matches(String reference) {
        String name = reference;
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at);
        }
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            name = name.substring(0, colon);
        }
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        String host;
        String rest;
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            host = first;
            rest = name.substring(slash + 1);
        } else {
            // As Docker reads a name without a registry: Docker Hub's, official images under library/.
            host = "docker.io";
            rest = name.contains("/") ? name : "library/" + name;
        }
        if (DOCKER_HUB.contains(host) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        return rest.equals(path) && (hosts.isEmpty() || hosts.contains(host)
                || DOCKER_HUB.contains(host) && hosts.stream().anyMatch(DOCKER_HUB::contains));
    }
}
