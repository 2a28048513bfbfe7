"""Location handling for 102: validated fixes, region routing, addresses, nearest units.

    geo.location.Location      one validated fix from a device
    geo.regions.RegionIndex    point -> ISO 3166-2:KZ unit (20 polygons)
    geo.geocoder               offline reverse geocoder (en/ru/kk)
    geo.nominatim              optional async Nominatim adapter (geopy)
    geo.units.NearestUnits     nearest police units
    geo.service.GeoService     all of the above in one synchronous call

Only geo.nominatim uses asyncio; everything else is pure CPU after loading.
"""
