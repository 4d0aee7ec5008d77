package dev.berth.admin;

/** The services behind the admin API and the web page, built once by the server. */
public record AdminServices(RepositoryCatalog repositories, TagListing tags, CacheStatistics statistics,
                            ImageActions images) {
}
