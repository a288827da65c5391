"""The client's subscribed-SKU listing is refused in 21Vianet China before any request."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import respx

from csp_commerce.errors import OperationNotSupportedError
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.provisioning.auth import AccessToken, CredentialKind


class UserCredential:
    kind = CredentialKind.APP_USER

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", int(time.time()) + 3600)


SKUS = {
    "totalCount": 1,
    "items": [
        {
            "availableUnits": 2,
            "activeUnits": 5,
            "consumedUnits": 3,
            "totalUnits": 5,
            "productSku": {"id": "sku-1", "name": "Office 365 E3"},
        }
    ],
}


@pytest.mark.parametrize("cloud", [Cloud.GLOBAL, Cloud.CHINA])
def test_subscribed_skus_per_cloud(cloud: Cloud) -> None:
    base = ENDPOINTS[cloud].api_base
    with respx.mock(base_url=base, assert_all_called=False) as router:
        route = router.get("/v1/customers/c-1/subscribedskus").mock(
            return_value=httpx.Response(200, json=SKUS)
        )
        with PartnerCenterClient(UserCredential(), cloud=cloud) as client:
            if cloud is Cloud.CHINA:
                with pytest.raises(OperationNotSupportedError):
                    client.subscribed_skus.list("c-1")
                assert not route.called
            else:
                (sku,) = list(client.subscribed_skus.list("c-1"))
                assert (sku.available_units, sku.consumed_units) == (2, 3)
                assert route.called
