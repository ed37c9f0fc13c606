from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.MOTCUA_SITE_NAME,
        "PROVINCE_NAME": settings.MOTCUA_PROVINCE_NAME,
    }
