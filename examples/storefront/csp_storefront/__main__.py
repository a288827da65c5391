"""``csp-storefront``: the example storefront on the built-in sandbox, at http://127.0.0.1:8000."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    """Seed the sandbox with the example's resellers and customers, then serve the storefront."""
    import uvicorn

    from csp_storefront import Shop, create_app
    from csp_storefront.demo_data import seed

    parser = argparse.ArgumentParser(prog="csp-storefront", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--home", type=Path, default=None, help="keep the ledger and MCA evidence here"
    )
    args = parser.parse_args(argv)
    shop = Shop(args.home)
    try:
        seed(shop)
        print(f"csp-storefront on http://{args.host}:{args.port} (data in {shop.home})")
        uvicorn.run(create_app(shop), host=args.host, port=args.port, log_level="warning")
    finally:
        shop.close()


if __name__ == "__main__":
    main()
