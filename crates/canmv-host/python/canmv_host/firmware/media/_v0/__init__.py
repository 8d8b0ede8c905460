"""The first firmware generations' media modules (v0.1–v0.6, 2023-10 to 2024-04; oldgen facts
§1): ``media.camera``, the class ``media`` of ``media.media``, their ``media.vencoder`` and the
v0.6 ``media.sensor``. ``media.media``, ``media.vencoder``, ``media.camera`` and
``media.sensor`` load these on those generations (``Traits::media_api``)."""
