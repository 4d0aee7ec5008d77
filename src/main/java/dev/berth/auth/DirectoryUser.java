package dev.berth.auth;

import java.util.Set;

/** A user as the directory describes them: their entry's DN, its fingerprint, and the names of their groups. */
record DirectoryUser(String dn, String fingerprint, Set<String> groups) {
    DirectoryUser {
        groups = Set.copyOf(groups);
    }
}
